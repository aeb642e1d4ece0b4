package io.autohealer.cli;

import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import java.time.Instant;

/**
 * One repair as the JSON output shows it: what Temporal knows of the run, the workflow's own
 * status query (null with {@code statusError} when no worker answered), and for {@code show} of a
 * closed run its result or failure.
 */
record RepairView(
    String cluster,
    String node,
    String workflowId,
    String runId,
    String executionStatus,
    String role,
    String phase,
    String outcome,
    String failedCheck,
    Instant started,
    Instant closed,
    String summary,
    RepairStatus status,
    String statusError,
    RepairResult result,
    String failure) {

  static RepairView of(RepairSummary r, String summary, Repairs.StatusAnswer answer, Repairs.Outcome outcome) {
    RepairStatus status = answer == null ? null : answer.status();
    return new RepairView(r.cluster(), r.node(), r.workflowId(), r.runId(), r.executionStatus(), r.role(),
        status != null && status.phase() != null ? status.phase().name() : r.phase(),
        status != null && status.outcome() != null ? status.outcome().name() : r.outcome(),
        r.failedCheck(), r.started(), r.closed(), summary, status,
        answer == null ? null : answer.error(),
        outcome == null ? null : outcome.result(),
        outcome == null ? null : outcome.failure());
  }

  /** Execution status plus what the query adds: {@code Running, paused}. */
  String statusText() {
    StringBuilder text = new StringBuilder(executionStatus);
    if (status != null && "Running".equals(executionStatus)) {
      if (status.paused()) {
        text.append(", paused");
      }
      if (status.awaitingApproval()) {
        text.append(", awaiting approval");
      }
    }
    return text.toString();
  }

  /** The outcome, but {@code -} for the RUNNING placeholder. */
  String outcomeText() {
    return outcome == null || "RUNNING".equals(outcome) ? Text.NONE : outcome;
  }
}
