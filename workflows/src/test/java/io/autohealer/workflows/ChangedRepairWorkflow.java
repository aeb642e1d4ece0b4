package io.autohealer.workflows;

import io.autohealer.workflows.activities.KubernetesActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * A RepairNodeWorkflow changed the way a careless edit would: it deletes the Node right after the
 * first look. Replaying a recorded history against it must fail.
 */
public class ChangedRepairWorkflow implements RepairNodeWorkflow {
  private final KubernetesActivities kubernetes = Workflow.newActivityStub(KubernetesActivities.class,
      ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

  @Override
  public RepairResult repair(RepairRequest request) {
    kubernetes.deleteNode(new KubernetesActivities.DeleteNode(request.node()));
    return new RepairResult(RepairOutcome.REPLACED, "changed", List.of(), Duration.ZERO);
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
    return null;
  }
}
