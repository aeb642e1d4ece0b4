package io.autohealer.workflows;

import io.temporal.workflow.Workflow;

/** Keeps the phase and outcome search attributes of the running repair current. */
final class RepairSearchAttributesUpserts {
  private RepairSearchAttributesUpserts() {}

  static void phase(RepairPhase phase) {
    Workflow.upsertTypedSearchAttributes(RepairSearchAttributes.PHASE.valueSet(phase.name()));
  }

  static void done(RepairOutcome outcome) {
    Workflow.upsertTypedSearchAttributes(
        RepairSearchAttributes.PHASE.valueSet(RepairPhase.DONE.name()),
        RepairSearchAttributes.OUTCOME.valueSet(outcome.name()));
  }
}
