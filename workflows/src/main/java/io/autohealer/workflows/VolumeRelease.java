package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities.DetachResult;
import io.autohealer.workflows.activities.CloudActivities.DetachVolumes;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitCsiDetach;
import io.autohealer.workflows.activities.KubernetesActivities.CsiDetachResult;

/**
 * Releases a server's volumes before it is shut off: volumes a CSI driver manages are left to the
 * driver (the drain ends their pods, the driver detaches them; they are never force-detached), and
 * only what is left, except the boot volume, is detached through Nova.
 */
final class VolumeRelease {
  private VolumeRelease() {}

  static DetachResult release(RepairContext ctx) {
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
}
