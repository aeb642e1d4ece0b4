package io.autohealer.workflows;

/** Thrown by a step that decides how the repair ends; carries the outcome up to the workflow. */
final class RepairEnded extends RuntimeException {
  final RepairOutcome outcome;
  final transient java.util.List<String> nodes;

  RepairEnded(RepairOutcome outcome, String message) {
    this(outcome, message, java.util.List.of());
  }

  RepairEnded(RepairOutcome outcome, String message, java.util.List<String> nodes) {
    super(message, null, false, false);
    this.outcome = outcome;
    this.nodes = nodes;
  }
}
