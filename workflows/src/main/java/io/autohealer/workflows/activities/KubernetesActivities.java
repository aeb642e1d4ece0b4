package io.autohealer.workflows.activities;

import io.autohealer.workflows.NodeRole;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a repair asks of the Kubernetes API. Every method looks at the world before it acts, so a
 * retry or a replay after a worker restart is harmless. Waits heartbeat at every poll.
 */
@ActivityInterface
public interface KubernetesActivities {

  /** Label or annotation (value "true") that keeps the healer away from a node. */
  String OPT_OUT = "autohealer.openstack.org/exclude";
  /** Annotation: when the healer last soft-rebooted the node (ISO-8601). */
  String REBOOTED_AT = "autohealer.openstack.org/rebooted-at";
  /** Annotation: why the last repair of the node gave up, for a person. */
  String REPAIR_FAILED = "autohealer.openstack.org/repair-failed";

  /** Reads the node as it is now. */
  @ActivityMethod
  NodeHealth inspectNode(InspectNode request);

  /** Marks the node unschedulable; a no-op when it already is. */
  @ActivityMethod
  CordonResult cordon(Cordon request);

  /** Clears spec.unschedulable; a no-op when it is not set or the node is gone. */
  @ActivityMethod
  UncordonResult uncordon(Uncordon request);

  /**
   * Evicts the node's pods through the Eviction API, which respects PodDisruptionBudgets (a 429 is
   * retried at every poll), skipping DaemonSet, mirror and finished pods, until none is left or the
   * timeout passes. On a node that is not Ready, pods are deleted with no grace period after
   * their eviction, as nothing on the node will ever end them. Never fails on the timeout: the
   * result says what is left.
   */
  @ActivityMethod
  DrainResult drainNode(Drain request);

  /**
   * Waits until the node is Ready (optionally: backed by a server other than {@code notServerId},
   * for a rebuilt master), or the timeout passes; a timeout is an answer, not a failure.
   */
  @ActivityMethod
  NodeReadyResult awaitNodeReady(AwaitNodeReady request);

  /**
   * Waits until no CSI VolumeAttachment for the node is left, or the timeout passes; returns the
   * volume handles still attached, which must not be detached by force.
   */
  @ActivityMethod
  CsiDetachResult awaitCsiDetach(AwaitCsiDetach request);

  /** Counts the masters and the Ready ones, for the etcd quorum check. */
  @ActivityMethod
  MasterCount countMasters(CountMasters request);

  /**
   * Waits until at least {@code expectedReady} nodes of the nodegroup (or of the role, when the
   * nodes carry no nodegroup label) other than the replaced one are Ready.
   */
  @ActivityMethod
  RejoinResult awaitRejoin(AwaitRejoin request);

  /** Deletes the Node object; a no-op when it is already gone. */
  @ActivityMethod
  NodeDeleted deleteNode(DeleteNode request);

  /** Sets (or, for a null value, removes) annotations with a merge patch. */
  @ActivityMethod
  Annotated annotateNode(AnnotateNode request);

  /** Records a Kubernetes Event about the node (best effort: never fails the repair). */
  @ActivityMethod
  EventRecorded recordEvent(RecordEvent request);

  record InspectNode(String node) {}

  /**
   * @param exists whether the Node object exists
   * @param ready whether its Ready condition is True
   * @param readyStatus the Ready condition's status (True, False, Unknown) or "Missing"
   * @param cordoned whether spec.unschedulable is set
   * @param serverId the Nova server behind it (providerID, else machine-id), or null
   * @param optedOut whether the node carries {@link #OPT_OUT}=true
   * @param rebootedAt when the healer last rebooted it ({@link #REBOOTED_AT}), or null
   */
  record NodeHealth(boolean exists, boolean ready, String readyStatus, boolean cordoned,
      String serverId, boolean optedOut, Instant rebootedAt) {}

  record Cordon(String node) {}

  /** @param changed false when the node was already cordoned */
  record CordonResult(boolean changed) {}

  record Uncordon(String node) {}

  /** @param changed false when the node was not cordoned or is gone */
  record UncordonResult(boolean changed) {}

  record Drain(String node, Duration timeout, Duration pollInterval) {}

  /**
   * @param evicted pods evicted ("namespace/name")
   * @param skipped pods left on purpose (DaemonSet, mirror, finished)
   * @param remaining pods still there at the end (blocked by a budget, or not gone in time)
   * @param timedOut whether the timeout ended the drain
   */
  record DrainResult(List<String> evicted, List<String> skipped, List<String> remaining, boolean timedOut) {}

  /** @param notServerId when set, only a node backed by another server counts (a rebuilt master) */
  record AwaitNodeReady(String node, String notServerId, Duration timeout, Duration pollInterval) {}

  /** @param serverId the server behind the node when it was seen Ready, or null */
  record NodeReadyResult(boolean ready, String serverId) {}

  record AwaitCsiDetach(String node, Duration timeout, Duration pollInterval) {}

  /** @param stillAttached volume handles of CSI VolumeAttachments still on the node */
  record CsiDetachResult(List<String> stillAttached) {}

  record CountMasters() {}

  /** @param notReady names of the masters that are not Ready */
  record MasterCount(int total, int ready, List<String> notReady) {}

  /**
   * @param expectedReady the nodegroup's size: the wait ends when this many other nodes are Ready
   * @param replacementsSince when the replacement was asked for: the wait also ends when a node of the
   *     nodegroup registered since then is Ready (another broken node of the nodegroup would keep the
   *     full count from ever being reached); null to wait for the full count only
   */
  record AwaitRejoin(String nodegroup, NodeRole role, String replacedNode, int expectedReady,
      Duration pollInterval, Instant replacementsSince) {
    public AwaitRejoin(String nodegroup, NodeRole role, String replacedNode, int expectedReady, Duration pollInterval) {
      this(nodegroup, role, replacedNode, expectedReady, pollInterval, null);
    }
  }

  /** @param readyNodes the Ready nodes counted, sorted by name */
  record RejoinResult(List<String> readyNodes) {}

  record DeleteNode(String node) {}

  /** @param deleted false when the Node object was already gone */
  record NodeDeleted(boolean deleted) {}

  /** @param annotations values to set; a null value removes the annotation */
  record AnnotateNode(String node, Map<String, String> annotations) {}

  /** @param changed false when the node is gone or already had these values */
  record Annotated(boolean changed) {}

  /**
   * @param type Normal or Warning
   * @param reason a CamelCase reason, e.g. RepairStarted
   */
  record RecordEvent(String node, String type, String reason, String message) {}

  /** @param recorded false when the Event could not be written (logged, never thrown) */
  record EventRecorded(boolean recorded) {}
}
