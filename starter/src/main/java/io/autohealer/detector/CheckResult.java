package io.autohealer.detector;

import java.time.Instant;

/** What a {@link HealthCheck} saw on one node. */
public sealed interface CheckResult {

  /** Nothing wrong, or nothing this check looks at. */
  record Healthy() implements CheckResult {}

  /** The check fails: the node should be repaired. */
  record Unhealthy(String reason) implements CheckResult {}

  /**
   * Something is wrong but not yet for long enough: unless the node changes, the check fails at
   * {@code due}, and the detector looks again then. Counts as passing (Go semantics).
   */
  record Pending(String reason, Instant due) implements CheckResult {}

  /**
   * The check cannot judge the node (e.g. it has no address to probe). The node is not repaired for
   * it, and is not counted healthy either: the detector reports it and lets the other checks decide.
   */
  record Unknown(String reason) implements CheckResult {}

  static CheckResult healthy() {
    return new Healthy();
  }

  static CheckResult unhealthy(String reason) {
    return new Unhealthy(reason);
  }

  static CheckResult pending(String reason, Instant due) {
    return new Pending(reason, due);
  }

  static CheckResult unknown(String reason) {
    return new Unknown(reason);
  }
}
