package io.autohealer.detector;

import io.autohealer.workflows.NodeRole;
import java.time.Instant;

/** What the detector concluded about one node at one moment. */
public sealed interface Verdict {

  /** Not checked: its role's monitor is disabled, its role has no checks, or (workers) it has no conditions yet. */
  record Ignored(String why) implements Verdict {}

  /** Within {@code check-delay-after-add} of its creation; checked from {@code until}. */
  record Young(Instant until) implements Verdict {}

  record Healthy() implements Verdict {}

  /** Every check passes, but one fails at {@code due} unless the node changes. */
  record Pending(Instant due) implements Verdict {}

  /**
   * No check fails, but {@code check} could not judge the node; a check that is pending fails at
   * {@code due} (null when none is).
   */
  record Unknown(NodeRole role, String check, String reason, Instant due) implements Verdict {}

  /** The first failing check of the role, in config order. */
  record Unhealthy(NodeRole role, String failedCheck, String reason) implements Verdict {}
}
