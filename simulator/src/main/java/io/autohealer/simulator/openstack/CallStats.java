package io.autohealer.simulator.openstack;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts every API call by operation name (e.g. {@code magnum.resize}). */
final class CallStats {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  void record(String operation) {
    counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
  }

  long count(String operation) {
    LongAdder adder = counts.get(operation);
    return adder == null ? 0 : adder.sum();
  }

  /** All counts, sorted by operation name. */
  Map<String, Long> snapshot() {
    Map<String, Long> result = new TreeMap<>();
    counts.forEach((op, n) -> result.put(op, n.sum()));
    return result;
  }

  void reset() {
    counts.clear();
  }
}
