package io.autohealer.workflows;

import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a repair shows of itself: the step list behind the {@code status} query, the RepairPhase
 * and RepairOutcome search attributes, and the Markdown current details in the Web UI.
 */
final class RepairJournal {
  private final List<RepairStatus.Step> steps = new ArrayList<>();
  private RepairPhase phase = RepairPhase.VERIFYING;
  private RepairOutcome outcome;
  private String lastError;

  RepairPhase phase() {
    return phase;
  }

  RepairOutcome outcome() {
    return outcome;
  }

  String lastError() {
    return lastError;
  }

  List<RepairStatus.Step> steps() {
    return List.copyOf(steps);
  }

  /**
   * Starts a step. A step that repeats the last one (a closed gate looked at again) is the same
   * step run once more: its attempts count up instead of the list growing.
   */
  void begin(RepairPhase next, String now) {
    RepairStatus.Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
    if (last != null && last.phase() == next) {
      steps.set(steps.size() - 1,
          new RepairStatus.Step(next, last.started(), null, null, last.attempts() + 1));
    } else {
      closeRunning("done");
      steps.add(new RepairStatus.Step(next, now(), null, null, 1));
    }
    show(next, now);
  }

  /** Ends the running step with a result, e.g. "done" or what a drain left behind. */
  void end(String result) {
    closeRunning(result);
  }

  void failed(String error) {
    lastError = error;
    closeRunning("failed: " + error);
  }

  /** Shows a wait that is not a step of its own (paused, awaiting approval) without losing the phase. */
  void show(RepairPhase shown, String now) {
    if (shown != phase) {
      phase = shown;
      Workflow.upsertTypedSearchAttributes(RepairSearchAttributes.PHASE.valueSet(shown.name()));
    }
    Workflow.setCurrentDetails("**Phase:** %s  \n**Now:** %s".formatted(shown, now));
  }

  void finish(RepairOutcome result, String message) {
    closeRunning(result == RepairOutcome.FAILED ? "failed" : "done");
    outcome = result;
    phase = RepairPhase.DONE;
    Workflow.upsertTypedSearchAttributes(
        RepairSearchAttributes.PHASE.valueSet(RepairPhase.DONE.name()),
        RepairSearchAttributes.OUTCOME.valueSet(result.name()));
    Workflow.setCurrentDetails("**Outcome:** %s  \n%s".formatted(result, message));
  }

  private void closeRunning(String result) {
    if (!steps.isEmpty()) {
      RepairStatus.Step last = steps.get(steps.size() - 1);
      if (last.ended() == null) {
        steps.set(steps.size() - 1,
            new RepairStatus.Step(last.phase(), last.started(), now(), result, last.attempts()));
      }
    }
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
