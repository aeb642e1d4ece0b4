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

  /** @param afterHandling the call takes effect and only its answer hangs */
  private record Hang(AtomicInteger remaining, boolean afterHandling) {}

  /** How long a hung call waits at most, should nobody release it. */
  private static final Duration MAX_HANG = Duration.ofMinutes(10);

  private final Map<String, Failure> nextFailures = new ConcurrentHashMap<>();
  private final Map<String, ErrorRate> errorRates = new ConcurrentHashMap<>();
  private final Map<String, Duration> latencies = new ConcurrentHashMap<>();
  private final Map<String, Hang> hangs = new ConcurrentHashMap<>();
  private final Object hangLock = new Object();
  private final java.util.concurrent.atomic.AtomicLong injected = new java.util.concurrent.atomic.AtomicLong();
  private long releases;

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

  /**
   * The next {@code count} calls of {@code operation} hang before they are handled (nothing
   * changes) until {@link #releaseHangs()}: the client sees a timeout, as with a stuck API.
   */
  public FaultInjector hangNext(String operation, int count) {
    hangs.put(operation, new Hang(new AtomicInteger(count), false));
    return this;
  }

  /**
   * The next {@code count} calls of {@code operation} are handled (the change happens) but their
   * answers hang until {@link #releaseHangs()}: the client sees a timeout for a request that was
   * carried out, as when an answer is lost.
   */
  public FaultInjector loseNextAnswers(String operation, int count) {
    hangs.put(operation, new Hang(new AtomicInteger(count), true));
    return this;
  }

  /** Lets every hung call go on (a hung answer is then written, to a client that gave up). */
  public void releaseHangs() {
    synchronized (hangLock) {
      releases++;
      hangLock.notifyAll();
    }
  }

  public void clear() {
    nextFailures.clear();
    errorRates.clear();
    latencies.clear();
    hangs.clear();
    releaseHangs();
  }

  Duration latency(String operation) {
    Duration specific = latencies.get(operation);
    return specific != null ? specific : latencies.getOrDefault(ANY, Duration.ZERO);
  }

  /** Whether this call hangs: empty if not, else true when only its answer does. */
  Optional<Boolean> takeHang(String operation) {
    for (String key : new String[] {operation, ANY}) {
      Hang hang = hangs.get(key);
      if (hang != null && hang.remaining().getAndDecrement() > 0) {
        return Optional.of(hang.afterHandling());
      }
    }
    return Optional.empty();
  }

  /** Blocks the calling (HTTP) thread until {@link #releaseHangs()}, an interrupt or a long time. */
  void hang() {
    long deadline = System.nanoTime() + MAX_HANG.toNanos();
    synchronized (hangLock) {
      long seen = releases;
      while (releases == seen) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          hangLock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** How many calls were answered with an injected status so far. */
  public long injectedCount() {
    return injected.get();
  }

  /** The status to answer instead of handling the call, if a fault applies to it. */
  Optional<Integer> injectedStatus(String operation) {
    Optional<Integer> status = pickStatus(operation);
    status.ifPresent(s -> injected.incrementAndGet());
    return status;
  }

  private Optional<Integer> pickStatus(String operation) {
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
