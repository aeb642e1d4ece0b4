package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny in-memory cluster behind both activity interfaces, for workflow tests: it records every
 * call and behaves like a cluster in which a resize really replaces the server.
 */
final class FakeCluster implements KubernetesActivities, CloudActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile boolean nodeReady;
  volatile boolean nodeExists = true;
  volatile boolean resizeRejected;
  volatile boolean serverSurvivesUpdate;
  volatile int transientResizeErrors;

  @Override
  public NodeHealth inspectNode(InspectNode request) {
    calls.add("inspect " + request.node());
    return new NodeHealth(nodeExists, nodeReady, nodeReady ? "True" : "Unknown", false);
  }

  @Override
  public CordonResult cordon(Cordon request) {
    calls.add("cordon " + request.node());
    return new CordonResult(true);
  }

  @Override
  public RejoinResult awaitRejoin(AwaitRejoin request) {
    calls.add("awaitRejoin " + request.nodegroup() + " " + request.expectedReady());
    return new RejoinResult(List.of("w-2", "w-3", "w-4"));
  }

  @Override
  public NodeDeleted deleteNode(DeleteNode request) {
    calls.add("delete " + request.node());
    return new NodeDeleted(true);
  }

  @Override
  public ShutOffResult shutOffServer(ShutOff request) {
    calls.add("shutOff " + request.serverId());
    return new ShutOffResult("SHUTOFF", false);
  }

  @Override
  public ReplaceResult replaceWorker(ReplaceWorker request) {
    if (transientResizeErrors > 0) {
      transientResizeErrors--;
      throw ApplicationFailure.newFailure("Magnum answered 503 to resize", "Transient");
    }
    calls.add("resize " + request.serverId());
    if (resizeRejected) {
      throw ApplicationFailure.newNonRetryableFailure(
          "Magnum rejected the resize of default-worker: 400 nodes_to_remove", "ResizeRejected");
    }
    return new ReplaceResult("default-worker", 3, false);
  }

  @Override
  public ClusterUpdateResult awaitClusterUpdate(AwaitClusterUpdate request) {
    calls.add("awaitUpdate " + request.cluster());
    return new ClusterUpdateResult("UPDATE_COMPLETE", !serverSurvivesUpdate);
  }
}
