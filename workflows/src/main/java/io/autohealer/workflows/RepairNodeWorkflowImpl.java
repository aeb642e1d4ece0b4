package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.CloudActivities.AwaitClusterUpdate;
import io.autohealer.workflows.activities.CloudActivities.ClusterUpdateResult;
import io.autohealer.workflows.activities.CloudActivities.ReplaceResult;
import io.autohealer.workflows.activities.CloudActivities.ReplaceWorker;
import io.autohealer.workflows.activities.CloudActivities.ShutOff;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.NodeHealth;
import io.autohealer.workflows.activities.KubernetesActivities.RejoinResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Replaces a broken worker: verify → cordon → shut off → Magnum resize with nodes_to_remove → await
 * the cluster update → await the replacement Ready → delete the old Node. Nothing is changed before
 * the verify step has seen the node still unhealthy, and the old Node object is removed only once
 * its server is gone. A step that gives up ends the repair FAILED with the node left cordoned.
 */
public class RepairNodeWorkflowImpl implements RepairNodeWorkflow {
  private static final Logger log = Workflow.getLogger(RepairNodeWorkflowImpl.class);

  private final List<RepairStatus.Step> steps = new ArrayList<>();
  private RepairPhase phase = RepairPhase.VERIFYING;
  private RepairOutcome outcome;
  private String lastError;

  @Override
  public RepairResult repair(RepairRequest request) {
    RepairActivities activities = new RepairActivities(request.policy());
    try {
      return run(request, activities);
    } catch (ActivityFailure failure) {
      String reason = RepairActivities.describe(failure);
      lastError = reason;
      log.warn("Repair of {} failed in {}: {}", request.node(), phase, reason);
      return end(
          RepairOutcome.FAILED,
          "Gave up in %s: %s. Node %s is left cordoned; nothing was deleted."
              .formatted(phase, reason, request.node()),
          List.of());
    }
  }

  private RepairResult run(RepairRequest request, RepairActivities activities) {
    if (request.role() != NodeRole.WORKER) {
      return end(
          RepairOutcome.FAILED,
          "Master repair is not supported yet; node %s was not changed.".formatted(request.node()),
          List.of());
    }
    String node = request.node();

    NodeHealth health =
        step(RepairPhase.VERIFYING, "Is node %s still unhealthy?".formatted(node),
            () -> activities.kubernetes("Verify " + node + " is still unhealthy", activities.quick())
                .inspectNode(new InspectNode(node)));
    if (!health.exists()) {
      return end(RepairOutcome.FAILED,
          "Node %s no longer exists; nothing was changed.".formatted(node), List.of());
    }
    if (health.ready()) {
      return end(RepairOutcome.RECOVERED,
          "Node %s was Ready again before any change.".formatted(node), List.of());
    }

    step(RepairPhase.CORDONING, "Cordoning %s".formatted(node),
        () -> activities.kubernetes("Cordon " + node, activities.quick()).cordon(new Cordon(node)));

    step(RepairPhase.SHUTTING_OFF, "Waiting for server %s to be SHUTOFF".formatted(request.serverId()),
        () -> activities.cloud("Shut off server " + request.serverId(), activities.shutOff())
            .shutOffServer(new ShutOff(request.serverId(), request.policy().pollInterval())));

    ReplaceResult replaced =
        step(RepairPhase.REPLACING, "Asking Magnum to replace server %s".formatted(request.serverId()),
            () -> activities.cloud("Magnum resize removing " + request.serverId(), activities.quick())
                .replaceWorker(new ReplaceWorker(request.cluster(), request.serverId(),
                    request.nodegroup(), request.nodeAddresses())));

    ClusterUpdateResult update =
        step(RepairPhase.AWAITING_CLUSTER_UPDATE,
            "Waiting for Magnum to finish updating cluster %s".formatted(request.cluster()),
            () -> activities.cloud("Await cluster " + request.cluster() + " update", activities.clusterUpdate())
                .awaitClusterUpdate(new AwaitClusterUpdate(request.cluster(), request.serverId(),
                    request.policy().pollInterval())));
    if (!update.removedServerGone()) {
      return end(RepairOutcome.FAILED,
          "Magnum finished (%s) but server %s still exists; node %s is left cordoned and kept."
              .formatted(update.status(), request.serverId(), node), List.of());
    }

    RejoinResult rejoined =
        step(RepairPhase.AWAITING_REJOIN,
            "Waiting for %d Ready nodes in nodegroup %s".formatted(replaced.nodeCount(), replaced.nodegroup()),
            () -> activities.kubernetes("Await replacement of " + node + " Ready", activities.rejoin())
                .awaitRejoin(new AwaitRejoin(replaced.nodegroup(), request.role(), node,
                    replaced.nodeCount(), request.policy().pollInterval())));

    step(RepairPhase.REMOVING_OLD_NODE, "Deleting Node object %s".formatted(node),
        () -> activities.kubernetes("Delete old Node " + node, activities.quick())
            .deleteNode(new DeleteNode(node)));

    return end(RepairOutcome.REPLACED,
        "Server %s was replaced; nodegroup %s has %d Ready nodes again."
            .formatted(request.serverId(), replaced.nodegroup(), rejoined.readyNodes().size()),
        rejoined.readyNodes());
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
    return new RepairStatus(null, null, phase, outcome, false, false, List.copyOf(steps), lastError);
  }

  private <T> T step(RepairPhase next, String waitingFor, Supplier<T> action) {
    phase = next;
    RepairSearchAttributesUpserts.phase(next);
    steps.add(new RepairStatus.Step(next, now(), null, null, 1));
    Workflow.setCurrentDetails("**Phase:** %s  \n**Now:** %s".formatted(next, waitingFor));
    try {
      T result = action.get();
      finishStep("done");
      return result;
    } catch (ActivityFailure failure) {
      finishStep("failed: " + RepairActivities.describe(failure));
      throw failure;
    }
  }

  private void finishStep(String result) {
    RepairStatus.Step current = steps.remove(steps.size() - 1);
    steps.add(new RepairStatus.Step(current.phase(), current.started(), now(), result, 1));
  }

  private RepairResult end(RepairOutcome result, String message, List<String> replacementNodes) {
    outcome = result;
    phase = RepairPhase.DONE;
    RepairSearchAttributesUpserts.done(result);
    Workflow.setCurrentDetails("**Outcome:** %s  \n%s".formatted(result, message));
    log.info("Repair ended {}: {}", result, message);
    Duration took = Duration.ofMillis(
        Workflow.currentTimeMillis() - Workflow.getInfo().getRunStartedTimestampMillis());
    return new RepairResult(result, message, replacementNodes, took);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
