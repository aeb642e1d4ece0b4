package io.autohealer.detector;

import io.autohealer.workflows.RepairNodeWorkflow;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;

/** The repair contract plus a signal with which a test ends a stand-in repair. */
@WorkflowInterface
public interface ReleasableRepairWorkflow extends RepairNodeWorkflow {
  @SignalMethod
  void release();
}
