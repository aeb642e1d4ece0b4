package io.autohealer.workflows.activities;

import io.autohealer.workflows.NodeRole;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * What a repair asks of the Kubernetes API. Every method looks at the world before it acts, so a
 * retry or a replay after a worker restart is harmless.
 */
@ActivityInterface
public interface KubernetesActivities {

  /** Reads the node as it is now. */
  @ActivityMethod
  NodeHealth inspectNode(InspectNode request);

  /** Marks the node unschedulable; a no-op when it already is. */
  @ActivityMethod
  CordonResult cordon(Cordon request);

  /**
   * Waits, heartbeating, until at least {@code expectedReady} nodes of the nodegroup (or of the
   * role, when the nodes carry no nodegroup label) other than the replaced one are Ready.
   */
  @ActivityMethod
  RejoinResult awaitRejoin(AwaitRejoin request);

  /** Deletes the Node object; a no-op when it is already gone. */
  @ActivityMethod
  NodeDeleted deleteNode(DeleteNode request);

  record InspectNode(String node) {}

  /**
   * @param exists whether the Node object exists
   * @param ready whether its Ready condition is True
   * @param readyStatus the Ready condition's status (True, False, Unknown) or "Missing"
   * @param cordoned whether spec.unschedulable is set
   */
  record NodeHealth(boolean exists, boolean ready, String readyStatus, boolean cordoned) {}

  record Cordon(String node) {}

  /** @param changed false when the node was already cordoned */
  record CordonResult(boolean changed) {}

  record AwaitRejoin(
      String nodegroup, NodeRole role, String replacedNode, int expectedReady, Duration pollInterval) {}

  /** @param readyNodes the Ready nodes counted, sorted by name */
  record RejoinResult(List<String> readyNodes) {}

  record DeleteNode(String node) {}

  /** @param deleted false when the Node object was already gone */
  record NodeDeleted(boolean deleted) {}
}
