package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities.ReplaceResult;
import io.autohealer.workflows.activities.CloudActivities.ReplaceWorker;
import io.autohealer.workflows.activities.CloudActivities.ShutOff;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.RejoinResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * A worker's rebuild: release its volumes, shut the server off, have Magnum replace it (a resize
 * of its nodegroup with nodes_to_remove and the count unchanged), await the update and the
 * nodegroup's Ready count, and only then remove the old Node object.
 */
final class WorkerReplacement {
  private static final Logger log = Workflow.getLogger(WorkerReplacement.class);

  private final RepairContext ctx;

  WorkerReplacement(RepairContext ctx) {
    this.ctx = ctx;
  }

  RepairEnded replace() {
    RebuildSteps.releaseVolumes(ctx);
    shutOff();
    Instant askedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    ReplaceResult replaced = ctx.step(RepairPhase.REPLACING,
        "Asking Magnum to replace server %s".formatted(ctx.serverId()),
        () -> ctx.cloud("Magnum resize removing " + ctx.serverId(), ctx.activities.whenClusterSettles())
            .replaceWorker(new ReplaceWorker(ctx.request.cluster(), ctx.serverId(),
                ctx.request.nodegroup(), ctx.request.nodeAddresses())));

    RebuildSteps.awaitServerReplaced(ctx, "Magnum");

    RejoinResult rejoined = ctx.step(RepairPhase.AWAITING_REJOIN,
        "Waiting for the replacement of %s, or %d Ready nodes, in nodegroup %s"
            .formatted(ctx.node(), replaced.nodeCount(), replaced.nodegroup()),
        () -> ctx.kubernetes("Await replacement of " + ctx.node() + " Ready", ctx.activities.polling(ctx.policy.rejoinTimeout()))
            .awaitRejoin(new AwaitRejoin(replaced.nodegroup(), NodeRole.WORKER, ctx.node(),
                replaced.nodeCount(), ctx.policy.pollInterval(), askedAt)));

    ctx.step(RepairPhase.REMOVING_OLD_NODE, "Deleting Node object %s".formatted(ctx.node()),
        () -> ctx.kubernetes("Delete old Node " + ctx.node(), ctx.activities.quick())
            .deleteNode(new DeleteNode(ctx.node())));

    return new RepairEnded(RepairOutcome.REPLACED,
        "Server %s was replaced; nodegroup %s has %d Ready nodes again."
            .formatted(ctx.serverId(), replaced.nodegroup(), rejoined.readyNodes().size()),
        rejoined.readyNodes());
  }

  /** Magnum deletes the server anyway: a server that will not stop in time does not stop the repair. */
  private void shutOff() {
    try {
      ctx.step(RepairPhase.SHUTTING_OFF, "Waiting for server %s to be SHUTOFF".formatted(ctx.serverId()),
          () -> ctx.cloud("Shut off server " + ctx.serverId(), ctx.activities.shutOff())
              .shutOffServer(new ShutOff(ctx.serverId(), ctx.policy.pollInterval())));
    } catch (ActivityFailure failure) {
      if (!RepairActivities.ranOutOfTime(failure)) {
        throw failure;
      }
      log.warn("Server {} did not stop within {}; Magnum's resize deletes it", ctx.serverId(),
          ctx.policy.shutOffTimeout());
    }
  }
}
