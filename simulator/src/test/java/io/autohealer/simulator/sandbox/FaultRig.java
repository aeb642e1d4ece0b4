package io.autohealer.simulator.sandbox;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.faults.TcpProxy;
import io.autohealer.simulator.invariants.InvariantChecker;
import io.autohealer.simulator.invariants.SimulatorInvariants;
import io.autohealer.worker.WorkerMain;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.Event;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.TestInfo;

/**
 * The sandbox's parts started one by one, so that a fault suite can take one away: the simulated
 * cluster, the embedded Temporal server on a fixed port (stopped and started again on it), worker
 * and detector JVMs, and, when asked, a {@link TcpProxy} between those JVMs and the simulated
 * Kubernetes API (cut to make the API unreachable for them, while the simulated kubelets go on).
 * The invariant checker watches the simulator from the moment the config is written.
 */
final class FaultRig implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(90);
  /** Simulated servers boot, stop and update this many times faster than real ones. */
  static final double SPEED = 40;
  /** The NodeCondition check's unhealthy-duration in every suite. */
  static final Duration UNHEALTHY = Duration.ofSeconds(5);

  private final Simulator simulator;
  private final Path workDir;
  private final int temporalPort;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final List<ChildJvm> processes = new ArrayList<>();
  private EmbeddedTemporal temporal;
  private TcpProxy kubernetesProxy;
  private Path config;
  private SimulatorInvariants invariants;

  private FaultRig(Simulator simulator, Path workDir) {
    this.simulator = simulator;
    this.workDir = workDir;
    this.temporal = EmbeddedTemporal.start(0);
    this.temporalPort = Integer.parseInt(temporal.target().substring(temporal.target().lastIndexOf(':') + 1));
    this.stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    this.client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
  }

  /** The sandbox's cluster (3 masters, 3 workers) at {@link #SPEED}. */
  static Simulator.Options simulatorOptions() {
    return Simulator.Options.defaults().withSpeed(SPEED);
  }

  /** Starts the simulated cluster and the Temporal server; the work dir is named for the test. */
  static FaultRig start(TestInfo test, Simulator.Options options) throws Exception {
    Path dir = Path.of("target", "faults", test.getTestClass().orElseThrow().getSimpleName(),
        test.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(dir);
    Simulator simulator = Simulator.start(options, Duration.ofMinutes(1));
    try {
      return new FaultRig(simulator, dir);
    } catch (RuntimeException e) {
      simulator.close();
      throw e;
    }
  }

  Simulator simulator() {
    return simulator;
  }

  WorkflowClient client() {
    return client;
  }

  Path workDir() {
    return workDir;
  }

  /** Puts a proxy between the processes and the Kubernetes API; call before {@link #writeConfig}. */
  TcpProxy proxyKubernetes() {
    kubernetesProxy = TcpProxy.start(simulator.kubernetes().port());
    return kubernetesProxy;
  }

  /**
   * The sandbox's config.yaml with top-level keys replaced (see {@link SandboxConfig}); unless
   * replaced, a drain-timeout of 5s: the pods of a node whose kubelet is gone never end by
   * themselves, and the worker deletes them only after 30s, the sandbox's drain-timeout.
   */
  Path writeConfig(Map<String, ?> overrides) {
    Map<String, Object> all = new HashMap<>(overrides);
    all.putIfAbsent("repair", Map.of("poll-interval", "1s", "gate-recheck-interval", "5s", "drain-timeout", "5s",
        "csi-detach-timeout", "10s", "require-approval", false));
    if (kubernetesProxy != null) {
      all.put("kubernetes", Map.of("api-host", kubernetesProxy.url()));
    }
    try {
      config = SandboxConfig.write(workDir, simulator, temporal.target(), UNHEALTHY, false, all);
      if (invariants == null) {
        invariants = SimulatorInvariants.attach(simulator, ConfigLoader.load(config).safety());
      }
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ChildJvm startWorker() {
    return started(ChildJvm.start("worker", WorkerMain.class, workDir.resolve("worker.log"),
        Sandbox.workerArgs(requireConfig(), temporal)));
  }

  ChildJvm startDetector(String name) {
    return started(ChildJvm.start(name, DetectorMain.class, workDir.resolve(name + ".log"),
        List.of("--config", requireConfig().toString())));
  }

  private ChildJvm started(ChildJvm process) {
    processes.add(process);
    return process;
  }

  private Path requireConfig() {
    if (config == null) {
      throw new IllegalStateException("writeConfig first");
    }
    return config;
  }

  /** Fails with the trail of events when the invariant checker saw a breach so far. */
  void assertNoBreach() {
    if (invariants == null) {
      throw new IllegalStateException("writeConfig first");
    }
    invariants.checker().assertNoBreach();
  }

  /** The OpenStack actions the invariant checker saw accepted (proof that it watched). */
  List<InvariantChecker.RecordedAction> checkedActions() {
    return invariants.checker().actions();
  }

  /** Stops the Temporal server: it keeps nothing (the Java test server has no persistence). */
  void stopTemporal() {
    temporal.close();
  }

  /** Starts a new Temporal server on the same port, search attributes registered. */
  void startTemporalAgain() {
    temporal = EmbeddedTemporal.start(temporalPort);
  }

  /** The run id of the node's repair, if one was ever started (on this Temporal server). */
  Optional<String> repairRunId(String node) {
    try {
      return Optional.of(client.newUntypedWorkflowStub(workflowId(node)).describe().getExecution().getRunId());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (WorkflowServiceException e) {
      if (e.getCause() instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  String workflowId(String node) {
    return RepairIds.workflowId(simulator.cluster().name(), node);
  }

  /**
   * Waits for the node's repair to be started (by a detector) and returns its run id; Temporal
   * unreachable for a while (just started again) counts as not started yet.
   */
  String awaitRepairStarted(String node) throws InterruptedException {
    await("the repair of " + node + " started", () -> {
      try {
        return repairRunId(node).isPresent();
      } catch (WorkflowServiceException e) {
        if (e.getCause() instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE) {
          return false;
        }
        throw e;
      }
    }, WAIT);
    return repairRunId(node).orElseThrow();
  }

  RepairResult awaitResult(String node) throws Exception {
    return client.newUntypedWorkflowStub(workflowId(node)).getResultAsync(RepairResult.class)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The Events with this reason about this node (all nodes when null), in the Events' namespace. */
  List<Event> events(String reason, String node) {
    return simulator.kubernetes().client().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .filter(e -> node == null || node.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** Magnum's health_status of the cluster, as the worker last wrote it. */
  String healthStatus() {
    return simulator.cluster().healthStatus();
  }

  /** The process's log so far. */
  static String log(ChildJvm process) {
    try {
      return Files.readString(process.log());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    stubs.shutdownNow();
    temporal.close();
    if (kubernetesProxy != null) {
      kubernetesProxy.close();
    }
    if (invariants != null) {
      invariants.close();
    }
    simulator.close();
  }
}
