package io.autohealer.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Repairs one unhealthy node; its workflow id is {@link RepairIds#workflowId}. */
@WorkflowInterface
public interface RepairNodeWorkflow {

  @WorkflowMethod
  RepairResult repair(RepairRequest request);

  /** Holds the repair before its next step until {@link #resume}. A running step finishes. */
  @SignalMethod
  void pause(OperatorRequest request);

  @SignalMethod
  void resume(OperatorRequest request);

  /** Lets a repair that waits for approval go on to its first destructive step. */
  @SignalMethod
  void approve(OperatorRequest request);

  /**
   * Stops the repair before its next step; a node that is healthy is uncordoned. A step that has
   * already changed a server (a resize or stack update sent) is not undone.
   */
  @SignalMethod
  void cancel(OperatorRequest request);

  @QueryMethod
  RepairStatus status();
}
