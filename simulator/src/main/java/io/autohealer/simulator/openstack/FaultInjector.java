package io.autohealer.simulator.openstack;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes chosen API operations misbehave. Operations are named as in {@link
 * OpenStackSimulator#calls}; the name {@value #ANY} matches every operation.
 */
public final class FaultInjector {
  public static final String ANY = "*";

  private record Failure(int status, AtomicInteger remaining) {}

  private record ErrorRate(double rate, int status) {}

  private final Map<String, Failure> nextFailures = new ConcurrentHashMap<>();
  private final Map<String, ErrorRate> errorRates = new ConcurrentHashMap<>();
  private final Map<String, Duration> latencies = new ConcurrentHashMap<>();

  /** The next {@code count} calls of {@code operation} answer {@code status} and change nothing. */
  public FaultInjector failNext(String operation, int count, int status) {
    nextFailures.put(operation, new Failure(status, new AtomicInteger(count)));
    return this;
  }

  /** A fraction {@code rate} (0..1) of the calls of {@code operation} answer {@code status}. */
  public FaultInjector errorRate(String operation, double rate, int status) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("rate must be within 0..1, got " + rate);
    }
    errorRates.put(operation, new ErrorRate(rate, status));
    return this;
  }

  /** A fraction {@code rate} of the calls of {@code operation} answer 503. */
  public FaultInjector errorRate(String operation, double rate) {
    return errorRate(operation, rate, 503);
  }

  /** Every call of {@code operation} is delayed by {@code delay} (real time, not scaled). */
  public FaultInjector latency(String operation, Duration delay) {
    latencies.put(operation, delay);
    return this;
  }

  public void clear() {
    nextFailures.clear();
    errorRates.clear();
    latencies.clear();
  }

  Duration latency(String operation) {
    Duration specific = latencies.get(operation);
    return specific != null ? specific : latencies.getOrDefault(ANY, Duration.ZERO);
  }

  /** The status to answer instead of handling the call, if a fault applies to it. */
  Optional<Integer> injectedStatus(String operation) {
    for (String key : new String[] {operation, ANY}) {
      Failure failure = nextFailures.get(key);
      if (failure != null && failure.remaining().getAndDecrement() > 0) {
        return Optional.of(failure.status());
      }
    }
    for (String key : new String[] {operation, ANY}) {
      ErrorRate errorRate = errorRates.get(key);
      if (errorRate != null && ThreadLocalRandom.current().nextDouble() < errorRate.rate()) {
        return Optional.of(errorRate.status());
      }
    }
    return Optional.empty();
  }
}
