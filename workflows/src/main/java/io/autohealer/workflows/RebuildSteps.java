package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities.AwaitClusterUpdate;
import io.autohealer.workflows.activities.CloudActivities.ClusterUpdateResult;
import io.autohealer.workflows.activities.CloudActivities.DetachResult;
import io.autohealer.workflows.activities.CloudActivities.DetachVolumes;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitCsiDetach;
import io.autohealer.workflows.activities.KubernetesActivities.CsiDetachResult;

/** The steps a worker's replacement and a master's rebuild share. */
final class RebuildSteps {
  private RebuildSteps() {}

  /**
   * Releases a server's volumes before it is shut off: volumes a CSI driver manages are left to the
   * driver (the drain ends their pods, the driver detaches them; they are never force-detached), and
   * only what is left, except the boot volume, is detached through Nova.
   */
  static DetachResult releaseVolumes(RepairContext ctx) {
    CsiDetachResult csi = ctx.step(RepairPhase.AWAITING_CSI_DETACH,
        "Waiting up to %s for CSI drivers to detach their volumes from %s".formatted(
            Durations.text(ctx.policy.csiDetachTimeout()), ctx.node()),
        () -> ctx.kubernetes("Await CSI detach from " + ctx.node(), ctx.activities.boundedWait(ctx.policy.csiDetachTimeout()))
            .awaitCsiDetach(new AwaitCsiDetach(ctx.node(), ctx.policy.csiDetachTimeout(), ctx.policy.pollInterval())));
    return ctx.step(RepairPhase.DETACHING_VOLUMES,
        "Detaching the other volumes of server %s".formatted(ctx.serverId()),
        () -> ctx.cloud("Detach volumes of " + ctx.serverId(), ctx.activities.polling(ctx.policy.shutOffTimeout()))
            .detachVolumes(new DetachVolumes(ctx.serverId(), csi.stillAttached(), ctx.policy.pollInterval())));
  }

  /**
   * Waits for the cluster update that replaces the server; the repair ends FAILED when the update
   * finished but the old server is still there.
   *
   * @param updater who updates, for people: "Magnum" or "the stack update"
   */
  static ClusterUpdateResult awaitServerReplaced(RepairContext ctx, String updater) {
    ClusterUpdateResult update = ctx.step(RepairPhase.AWAITING_CLUSTER_UPDATE,
        "Waiting for %s to finish updating cluster %s".formatted(updater, ctx.request.cluster()),
        () -> ctx.cloud("Await cluster " + ctx.request.cluster() + " update",
                ctx.activities.polling(ctx.policy.clusterUpdateTimeout()))
            .awaitClusterUpdate(new AwaitClusterUpdate(ctx.request.cluster(), ctx.serverId(), ctx.policy.pollInterval())));
    if (!update.removedServerGone()) {
      throw new RepairEnded(RepairOutcome.FAILED,
          "%s finished (%s) but server %s still exists".formatted(updater, update.status(), ctx.serverId()));
    }
    return update;
  }
}
