package io.autohealer.detector;

import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/** A stand-in repair: records each run it starts, then waits for the test's {@code release} signal. */
public class RecordingRepairWorkflow implements ReleasableRepairWorkflow {
  static final BlockingQueue<Run> STARTED = new LinkedBlockingQueue<>();
  /** Every workflow id run, for clean-up; not drained by tests. */
  static final Set<String> WORKFLOW_IDS = ConcurrentHashMap.newKeySet();

  /** One execution started, as its workflow code saw it. */
  record Run(String workflowId, String runId, RepairRequest request) {}

  private boolean released;

  @Override
  public RepairResult repair(RepairRequest request) {
    if (!Workflow.isReplaying()) {
      WORKFLOW_IDS.add(Workflow.getInfo().getWorkflowId());
      STARTED.add(new Run(Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(), request));
    }
    Workflow.await(() -> released);
    return new RepairResult(RepairOutcome.RECOVERED, "released by the test", List.of(), Duration.ZERO);
  }

  @Override
  public void release() {
    released = true;
  }

  @Override
  public void pause(OperatorRequest request) {}

  @Override
  public void resume(OperatorRequest request) {}

  @Override
  public void approve(OperatorRequest request) {}

  @Override
  public void cancel(OperatorRequest request) {}

  @Override
  public RepairStatus status() {
    return new RepairStatus(null, null, RepairPhase.VERIFYING, null, false, false, List.of(), null);
  }
}
