package io.autohealer.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * What a repair asks of OpenStack (Nova, Magnum). Every method looks at the world before it acts,
 * so a retry never sends a second stop or a second resize for the same repair.
 */
@ActivityInterface
public interface CloudActivities {

  /** Stops the server and waits, heartbeating, until it is SHUTOFF; a no-op when it already is. */
  @ActivityMethod
  ShutOffResult shutOffServer(ShutOff request);

  /**
   * Asks Magnum to replace a worker's server: a resize of its nodegroup with {@code nodes_to_remove}
   * set to the server and the count unchanged. Fails when Magnum does not accept it.
   */
  @ActivityMethod
  ReplaceResult replaceWorker(ReplaceWorker request);

  /**
   * Waits, heartbeating, until the cluster update is finished. Fails when it ends in a *_FAILED
   * status.
   */
  @ActivityMethod
  ClusterUpdateResult awaitClusterUpdate(AwaitClusterUpdate request);

  record ShutOff(String serverId, Duration pollInterval) {}

  /**
   * @param status the server status seen last (SHUTOFF, or DELETED when it no longer exists)
   * @param alreadyOff true when nothing had to be sent
   */
  record ShutOffResult(String status, boolean alreadyOff) {}

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

  record AwaitClusterUpdate(String cluster, String removedServerId, Duration pollInterval) {}

  /**
   * @param status the cluster status at the end (e.g. UPDATE_COMPLETE)
   * @param removedServerGone whether Nova no longer knows the removed server
   */
  record ClusterUpdateResult(String status, boolean removedServerGone) {}
}
