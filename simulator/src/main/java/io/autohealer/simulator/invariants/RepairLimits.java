package io.autohealer.simulator.invariants;

import io.autohealer.config.SafetySettings;

/**
 * The concurrency a run's config allows.
 *
 * @param maxConcurrentRepairs {@code max-concurrent-repairs}
 * @param maxConcurrentMasterRepairs {@code max-concurrent-master-repairs}
 */
public record RepairLimits(int maxConcurrentRepairs, int maxConcurrentMasterRepairs) {
  public static RepairLimits of(SafetySettings safety) {
    return new RepairLimits(safety.maxConcurrentRepairs(), safety.maxConcurrentMasterRepairs());
  }
}
