package io.autohealer.workflows;

import java.time.Instant;
import java.util.List;

/**
 * What the {@code status} query answers.
 *
 * @param node the node being repaired
 * @param role master or worker
 * @param phase the current phase
 * @param outcome the outcome once ended, null while running
 * @param paused whether an operator paused it
 * @param awaitingApproval whether it waits for an operator's approval
 * @param steps every step started, oldest first
 * @param lastError the last error a step ended with, or null
 */
public record RepairStatus(
    String node,
    NodeRole role,
    RepairPhase phase,
    RepairOutcome outcome,
    boolean paused,
    boolean awaitingApproval,
    List<Step> steps,
    String lastError) {

  /**
   * One step of the repair; {@code ended} and {@code result} are null while it runs.
   *
   * @param attempts how many times the step ran (a closed gate is looked at again and again)
   */
  public record Step(RepairPhase phase, Instant started, Instant ended, String result, int attempts) {}
}
