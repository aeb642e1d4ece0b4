package io.autohealer.detector.checks;

/** What one probe of a node's endpoints found. */
sealed interface ProbeOutcome {

  /** Every endpoint answered with an ok code. */
  record Ok() implements ProbeOutcome {}

  /** The first endpoint that did not: refused, timed out, TLS failure, or a code not in ok-codes. */
  record Failed(String reason) implements ProbeOutcome {}

  /** The probe could not be made for a reason of ours (no token to send). */
  record CannotJudge(String reason) implements ProbeOutcome {}

  ProbeOutcome OK = new Ok();
}
