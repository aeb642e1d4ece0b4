package io.autohealer.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Repairs one unhealthy node; its workflow id is {@link RepairIds#workflowId}. */
@WorkflowInterface
public interface RepairNodeWorkflow {

  @WorkflowMethod
  RepairResult repair(RepairRequest request);

  @QueryMethod
  RepairStatus status();
}
