package io.autohealer.workflows;

import java.time.Instant;
import java.util.List;

/**
 * What the {@code status} query answers: the current phase and every step so far.
 *
 * @param phase the current phase
 * @param outcome the outcome once ended, null while running
 * @param steps every step started, oldest first
 * @param lastError the last error a step ended with, or null
 */
public record RepairStatus(
    RepairPhase phase, RepairOutcome outcome, List<Step> steps, String lastError) {

  /** One step of the repair; {@code ended} and {@code result} are null while it runs. */
  public record Step(RepairPhase phase, Instant started, Instant ended, String result) {}
}
