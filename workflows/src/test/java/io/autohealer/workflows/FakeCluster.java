package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small in-memory cluster behind both activity interfaces, for workflow tests: it records every
 * call and answers as a cluster would; fields choose how the world behaves.
 */
final class FakeCluster implements KubernetesActivities, CloudActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();

  volatile boolean nodeExists = true;
  volatile boolean nodeReady;
  volatile boolean optedOut;
  volatile Instant rebootedAt;
  /** Answers of checkGate, one per call; when empty the gate is open. */
  final Deque<GateResult> gates = new ArrayDeque<>();
  volatile String serverStatus = "ACTIVE";
  volatile boolean rebootHeals;
  volatile boolean resizeRejected;
  volatile boolean serverSurvivesUpdate;
  volatile int transientResizeErrors;
  volatile int mastersTotal = 3;
  volatile int mastersReady = 2;
  volatile boolean shutOffTimesOut;
  volatile List<String> csiStillAttached = List.of();
  volatile boolean rebuiltMasterReady = true;
  /** When set, awaitRejoin counts it down on entry and then waits until {@link #releaseRejoin}. */
  final java.util.concurrent.CountDownLatch rejoinEntered = new java.util.concurrent.CountDownLatch(1);
  volatile java.util.concurrent.CountDownLatch releaseRejoin;

  private void call(String call) {
    calls.add(call);
  }

  long count(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).count();
  }

  @Override
  public NodeHealth inspectNode(InspectNode request) {
    call("inspect " + request.node());
    return new NodeHealth(nodeExists, nodeReady, nodeReady ? "True" : "Unknown", false, "srv-1", optedOut, rebootedAt);
  }

  @Override
  public CordonResult cordon(Cordon request) {
    call("cordon " + request.node());
    return new CordonResult(true);
  }

  @Override
  public UncordonResult uncordon(Uncordon request) {
    call("uncordon " + request.node());
    return new UncordonResult(true);
  }

  @Override
  public DrainResult drainNode(Drain request) {
    call("drain " + request.node());
    return new DrainResult(List.of("default/web-1"), List.of("kube-system/proxy-x"), List.of(), false);
  }

  @Override
  public NodeReadyResult awaitNodeReady(AwaitNodeReady request) {
    call("awaitReady " + request.node());
    boolean ready = request.notServerId() != null ? rebuiltMasterReady : nodeReady;
    return new NodeReadyResult(ready, ready ? "srv-2" : null);
  }

  @Override
  public CsiDetachResult awaitCsiDetach(AwaitCsiDetach request) {
    call("awaitCsiDetach " + request.node());
    return new CsiDetachResult(csiStillAttached);
  }

  @Override
  public MasterCount countMasters(CountMasters request) {
    call("countMasters");
    return new MasterCount(mastersTotal, mastersReady, List.of("w-1"));
  }

  @Override
  public RejoinResult awaitRejoin(AwaitRejoin request) {
    call("awaitRejoin " + request.nodegroup() + " " + request.expectedReady());
    rejoinEntered.countDown();
    if (releaseRejoin != null) {
      try {
        releaseRejoin.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new RejoinResult(List.of("w-2", "w-3", "w-4"));
  }

  @Override
  public NodeDeleted deleteNode(DeleteNode request) {
    call("delete " + request.node());
    return new NodeDeleted(true);
  }

  @Override
  public Annotated annotateNode(AnnotateNode request) {
    call("annotate " + request.node() + " " + request.annotations().keySet().stream().sorted().toList());
    return new Annotated(true);
  }

  @Override
  public EventRecorded recordEvent(RecordEvent request) {
    call("event " + request.reason());
    return new EventRecorded(true);
  }

  @Override
  public GateResult checkGate(CheckGate request) {
    call("gate " + request.cluster());
    GateResult next = gates.poll();
    return next != null ? next : new GateResult(true, null, "CREATE_COMPLETE", "CREATE_COMPLETE");
  }

  @Override
  public ServerState describeServer(DescribeServer request) {
    call("describe " + request.serverId());
    return new ServerState(true, serverStatus);
  }

  @Override
  public RebootResult rebootServer(RebootServer request) {
    call("reboot " + request.serverId());
    if (!"ACTIVE".equals(serverStatus)) {
      return new RebootResult(false, serverStatus);
    }
    if (rebootHeals) {
      nodeReady = true;
    }
    return new RebootResult(true, "REBOOT");
  }

  @Override
  public DetachResult detachVolumes(DetachVolumes request) {
    call("detach " + request.serverId() + " keep " + request.keep());
    return new DetachResult(List.of("vol-data"), "vol-boot");
  }

  @Override
  public ShutOffResult shutOffServer(ShutOff request) {
    call("shutOff " + request.serverId());
    if (shutOffTimesOut) {
      throw ApplicationFailure.newFailure("server " + request.serverId() + " is still ACTIVE", "StillRunning");
    }
    return new ShutOffResult("SHUTOFF", false);
  }

  @Override
  public ServerDeleted forceDeleteServer(ForceDeleteServer request) {
    call("forceDelete " + request.serverId());
    return new ServerDeleted(true);
  }

  @Override
  public ReplaceResult replaceWorker(ReplaceWorker request) {
    if (transientResizeErrors > 0) {
      transientResizeErrors--;
      throw ApplicationFailure.newFailure("Magnum answered 503 to resize", "OpenStackUnavailable");
    }
    call("resize " + request.serverId());
    if (resizeRejected) {
      throw ApplicationFailure.newNonRetryableFailure(
          "Magnum rejected the resize of default-worker: 400 nodes_to_remove", "OpenStackRejected");
    }
    return new ReplaceResult("default-worker", 3, false);
  }

  @Override
  public MarkResult markMasterUnhealthy(MarkMasterUnhealthy request) {
    call("markUnhealthy " + request.serverId());
    return new MarkResult(List.of("kube_masters-0/kube-master", "kube_masters-0/docker_volume"));
  }

  @Override
  public StackUpdateResult updateStack(UpdateStack request) {
    call("updateStack " + request.cluster());
    return new StackUpdateResult("k8s-stack", false);
  }

  @Override
  public ClusterUpdateResult awaitClusterUpdate(AwaitClusterUpdate request) {
    call("awaitUpdate " + request.cluster());
    return new ClusterUpdateResult("UPDATE_COMPLETE", !serverSurvivesUpdate);
  }
}
