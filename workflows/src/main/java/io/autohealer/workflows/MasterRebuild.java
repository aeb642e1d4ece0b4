package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities.ForceDeleteServer;
import io.autohealer.workflows.activities.CloudActivities.MarkMasterUnhealthy;
import io.autohealer.workflows.activities.CloudActivities.ShutOff;
import io.autohealer.workflows.activities.CloudActivities.UpdateStack;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.CountMasters;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.MasterCount;
import io.autohealer.workflows.activities.KubernetesActivities.NodeHealth;
import io.autohealer.workflows.activities.KubernetesActivities.Uncordon;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.util.List;

/**
 * A master's rebuild through Heat (Magnum cannot resize masters): mark its server and boot volume
 * unhealthy, shut it off, update the stack, await the update and the same node Ready on its new
 * server. Never when taking this master out would leave etcd without a majority of Ready masters.
 */
final class MasterRebuild {
  private final RepairContext ctx;

  MasterRebuild(RepairContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Waits until the other Ready masters are a majority of all masters, so that this one can be taken
   * out. A cluster that can never have that (one or two masters) is not rebuilt.
   */
  void awaitQuorum() {
    while (true) {
      MasterCount masters = ctx.step(RepairPhase.CHECKING_QUORUM, "Counting Ready masters",
          () -> ctx.kubernetes("Count Ready masters", ctx.activities.quick()).countMasters(new CountMasters()));
      int quorum = masters.total() / 2 + 1;
      int readyOthers = masters.ready() - (masters.notReady().contains(ctx.node()) ? 0 : 1);
      if (masters.total() - 1 < quorum) {
        throw new RepairEnded(RepairOutcome.FAILED,
            "the cluster has %d master(s): rebuilding %s would lose etcd's quorum".formatted(masters.total(), ctx.node()));
      }
      if (readyOthers >= quorum) {
        return;
      }
      String closed = "only %d of the other masters are Ready, etcd needs %d of %d"
          .formatted(readyOthers, quorum, masters.total());
      ctx.journal.show(RepairPhase.CHECKING_QUORUM, "Waiting: " + closed);
      Workflow.newTimer(ctx.policy.gateRecheckInterval(),
          TimerOptions.newBuilder().setSummary("Quorum guard: " + closed).build()).get();
    }
  }

  RepairEnded rebuild(boolean cordoned) {
    awaitQuorum();
    RebuildSteps.releaseVolumes(ctx);
    ctx.step(RepairPhase.MARKING_UNHEALTHY, "Marking server %s unhealthy in Heat".formatted(ctx.serverId()),
        () -> ctx.cloud("Heat mark-unhealthy " + ctx.serverId(), ctx.activities.quick())
            .markMasterUnhealthy(new MarkMasterUnhealthy(ctx.request.cluster(), ctx.serverId())));
    shutOffOrForceDelete();
    ctx.step(RepairPhase.UPDATING_STACK, "Updating the stack of cluster %s".formatted(ctx.request.cluster()),
        () -> ctx.cloud("Heat stack update of " + ctx.request.cluster(), ctx.activities.whenClusterSettles())
            .updateStack(new UpdateStack(ctx.request.cluster())));
    RebuildSteps.awaitServerReplaced(ctx, "the stack update");
    removeStaleNode();
    boolean ready = ctx.step(RepairPhase.AWAITING_REJOIN,
        "Waiting up to %s for %s to be Ready on its new server".formatted(Durations.text(ctx.policy.rejoinTimeout()), ctx.node()),
        () -> ctx.kubernetes("Await rebuilt " + ctx.node() + " Ready", ctx.activities.boundedWait(ctx.policy.rejoinTimeout()))
            .awaitNodeReady(new AwaitNodeReady(ctx.node(), ctx.serverId(), ctx.policy.rejoinTimeout(),
                ctx.policy.pollInterval())))
        .ready();
    if (!ready) {
      throw new RepairEnded(RepairOutcome.FAILED, "master %s was rebuilt but did not become Ready within %s"
          .formatted(ctx.node(), Durations.text(ctx.policy.rejoinTimeout())));
    }
    if (cordoned) {
      ctx.step(RepairPhase.UNCORDONING, "Uncordoning " + ctx.node(),
          () -> ctx.kubernetes("Uncordon " + ctx.node(), ctx.activities.quick()).uncordon(new Uncordon(ctx.node())));
    }
    return new RepairEnded(RepairOutcome.REBUILT,
        "Master %s was rebuilt by a stack update and is Ready again.".formatted(ctx.node()), List.of(ctx.node()));
  }

  /** As the Go service does: a master that will not stop is force-deleted, as it is marked for replacement. */
  private void shutOffOrForceDelete() {
    try {
      ctx.step(RepairPhase.SHUTTING_OFF, "Waiting for server %s to be SHUTOFF".formatted(ctx.serverId()),
          () -> ctx.cloud("Shut off server " + ctx.serverId(), ctx.activities.shutOff())
              .shutOffServer(new ShutOff(ctx.serverId(), ctx.policy.pollInterval())));
    } catch (ActivityFailure failure) {
      if (!RepairActivities.ranOutOfTime(failure)) {
        throw failure;
      }
      ctx.step(RepairPhase.SHUTTING_OFF, "Force-deleting server %s, which did not stop".formatted(ctx.serverId()),
          () -> ctx.cloud("Force-delete " + ctx.serverId(), ctx.activities.quick())
              .forceDeleteServer(new ForceDeleteServer(ctx.serverId())));
    }
  }

  /** The old Node object still names the removed server: delete it so the rebuilt kubelet can register. */
  private void removeStaleNode() {
    NodeHealth node = ctx.kubernetes("Inspect " + ctx.node(), ctx.activities.quick())
        .inspectNode(new InspectNode(ctx.node()));
    if (node.exists() && ctx.serverId().equals(node.serverId())) {
      ctx.step(RepairPhase.REMOVING_OLD_NODE, "Deleting Node object %s of the removed server".formatted(ctx.node()),
          () -> ctx.kubernetes("Delete stale Node " + ctx.node(), ctx.activities.quick())
              .deleteNode(new DeleteNode(ctx.node())));
    }
  }
}
