package io.autohealer.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * What a repair asks of OpenStack (Nova, Cinder, Magnum, Heat). Every method looks at the world
 * before it acts, so a retry never sends a second reboot, stop, resize or stack update for the
 * same repair. Waits heartbeat at every poll. Transient errors (5xx, timeouts, 409, 429) are
 * retryable; other 4xx and missing resources fail at once with a clear message.
 */
@ActivityInterface
public interface CloudActivities {

  /**
   * May this cluster be repaired now? Open only when the Magnum cluster has the label
   * {@code auto_healing_enabled} true, its status ends in _COMPLETE, and its Heat stack is not
   * UPDATE_IN_PROGRESS or UPDATE_FAILED (the Go service's {@code Enabled()}).
   */
  @ActivityMethod
  GateResult checkGate(CheckGate request);

  /** The server as Nova sees it now. */
  @ActivityMethod
  ServerState describeServer(DescribeServer request);

  /**
   * Soft-reboots an ACTIVE server (a server already rebooting counts as rebooted). A server that
   * cannot be soft-rebooted (SHUTOFF, ERROR, missing) is reported, not failed: it needs a rebuild.
   */
  @ActivityMethod
  RebootResult rebootServer(RebootServer request);

  /**
   * Detaches through Nova every volume of the server except its boot volume and the volumes in
   * {@code keep} (those a CSI driver manages), then waits until they are gone from the server.
   */
  @ActivityMethod
  DetachResult detachVolumes(DetachVolumes request);

  /** Stops the server and waits until it is SHUTOFF; a no-op when it already is or is gone. */
  @ActivityMethod
  ShutOffResult shutOffServer(ShutOff request);

  /**
   * Force-deletes a master's server that would not stop, so that the stack update can replace it
   * (as the Go service does). Only called after the server was marked unhealthy in Heat.
   */
  @ActivityMethod
  ServerDeleted forceDeleteServer(ForceDeleteServer request);

  /**
   * Asks Magnum to replace a worker's server: a resize of its nodegroup with {@code nodes_to_remove}
   * set to the server and the count unchanged. Fails when Magnum does not accept it.
   */
  @ActivityMethod
  ReplaceResult replaceWorker(ReplaceWorker request);

  /**
   * Marks a master's server, and its boot volume when it has one, unhealthy in the cluster's Heat
   * stack (the resources of the nested stack that holds the server).
   */
  @ActivityMethod
  MarkResult markMasterUnhealthy(MarkMasterUnhealthy request);

  /** Sends a stack update reusing the existing template (PATCH {}), which rebuilds what is marked. */
  @ActivityMethod
  StackUpdateResult updateStack(UpdateStack request);

  /**
   * Waits until the cluster update is finished. Fails when it ends in a *_FAILED status.
   */
  @ActivityMethod
  ClusterUpdateResult awaitClusterUpdate(AwaitClusterUpdate request);

  record CheckGate(String cluster) {}

  /**
   * @param open whether repairs may act now
   * @param reason why it is closed, for people; null when open
   */
  record GateResult(boolean open, String reason, String clusterStatus, String stackStatus) {}

  record DescribeServer(String serverId) {}

  /** @param status the Nova status (ACTIVE, SHUTOFF, ERROR, ...), or DELETED when it is gone */
  record ServerState(boolean exists, String status) {}

  record RebootServer(String serverId) {}

  /**
   * @param rebooted whether a soft reboot was sent (or was already under way)
   * @param status the server's status when it could not be rebooted
   */
  record RebootResult(boolean rebooted, String status) {}

  /** @param keep volume ids never to detach here (managed by a CSI driver) */
  record DetachVolumes(String serverId, List<String> keep, Duration pollInterval) {}

  /** @param detached volume ids detached; @param bootVolumeId the boot volume, kept, or null */
  record DetachResult(List<String> detached, String bootVolumeId) {}

  record ShutOff(String serverId, Duration pollInterval) {}

  /**
   * @param status the server status seen last (SHUTOFF, or DELETED when it no longer exists)
   * @param alreadyOff true when nothing had to be sent
   */
  record ShutOffResult(String status, boolean alreadyOff) {}

  record ForceDeleteServer(String serverId) {}

  /** @param deleted false when it was already gone */
  record ServerDeleted(boolean deleted) {}

  /**
   * @param nodegroup the nodegroup name from the node's label, or null to find it by address
   * @param nodeAddresses the node's addresses, matched against the nodegroups' node_addresses
   */
  record ReplaceWorker(String cluster, String serverId, String nodegroup, List<String> nodeAddresses) {}

  /**
   * @param nodegroup the nodegroup that was resized
   * @param nodeCount its node count, unchanged by the resize
   * @param alreadyAccepted true when an earlier attempt's resize was found already accepted
   */
  record ReplaceResult(String nodegroup, int nodeCount, boolean alreadyAccepted) {}

  record MarkMasterUnhealthy(String cluster, String serverId) {}

  /** @param marked the Heat resources marked unhealthy ("stack/resource") */
  record MarkResult(List<String> marked) {}

  record UpdateStack(String cluster) {}

  /** @param alreadyInProgress true when an earlier attempt's update was found under way */
  record StackUpdateResult(String stackName, boolean alreadyInProgress) {}

  record AwaitClusterUpdate(String cluster, String removedServerId, Duration pollInterval) {}

  /**
   * @param status the cluster status at the end (e.g. UPDATE_COMPLETE)
   * @param removedServerGone whether Nova no longer knows the removed server
   */
  record ClusterUpdateResult(String status, boolean removedServerGone) {}
}
