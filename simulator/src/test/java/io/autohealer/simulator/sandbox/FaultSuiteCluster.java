package io.autohealer.simulator.sandbox;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.InvariantChecker;
import io.autohealer.simulator.invariants.SimulatorInvariants;
import io.autohealer.worker.WorkerMain;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated cluster, the embedded Temporal server, a worker and a detector each in a JVM of its
 * own, and the invariant checker, for the fault suites: the sandbox's parts, with the config's
 * safety limits set by the test and a worker that can be killed and started again.
 */
final class FaultSuiteCluster implements AutoCloseable {
  private final Simulator simulator;
  private final EmbeddedTemporal temporal;
  private final Path workDir;
  private final Path config;
  private final SimulatorInvariants invariants;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final List<ChildJvm> processes = new ArrayList<>();
  private ChildJvm worker;
  private ChildJvm detector;
  private int workers;

  /** What Temporal knows of one node's repair workflow. */
  record Execution(String runId, WorkflowExecutionStatus status) {
    boolean closed() {
      return status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }
  }

  /**
   * @param settings top-level keys of config.yaml to set, e.g. {@code max-concurrent-repairs: 3}
   */
  FaultSuiteCluster(String name, Simulator.Options sim, Map<String, String> settings) throws Exception {
    workDir = Path.of("target", "fault-suites", name);
    Files.createDirectories(workDir);
    simulator = Simulator.start(sim, Duration.ofMinutes(2));
    try {
      temporal = EmbeddedTemporal.start(0);
      config = SandboxConfig.write(workDir, simulator, temporal.target(), Duration.ofSeconds(5), false);
      override(config, settings);
      invariants = SimulatorInvariants.attach(simulator, ConfigLoader.load(config).safety());
      stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      client = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
    } catch (Exception | Error e) {
      simulator.close();
      throw e;
    }
  }

  Simulator simulator() {
    return simulator;
  }

  InvariantChecker invariants() {
    return invariants.checker();
  }

  WorkflowClient client() {
    return client;
  }

  void startWorker() {
    workers++;
    worker = ChildJvm.start("worker-" + workers, WorkerMain.class, workDir.resolve("worker-" + workers + ".log"),
        List.of("--config", config.toString(), "--test-server", "--metrics-port", "0"));
    processes.add(worker);
  }

  /** SIGKILL, as a crash or an OOM kill would end it. */
  void killWorker() throws InterruptedException {
    worker.kill();
  }

  void startDetector() {
    detector = ChildJvm.start("detector", DetectorMain.class, workDir.resolve("detector.log"),
        List.of("--config", config.toString()));
    processes.add(detector);
  }

  /** Throws when the detector or the current worker died, or an invariant was breached. */
  void requireHealthy() {
    for (ChildJvm process : List.of(worker, detector)) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException(process.name() + " exited; see " + process.log());
      }
    }
    invariants.checker().assertNoBreach();
  }

  /** The latest run of the node's repair workflow, or empty when there is none. */
  Optional<Execution> execution(String node) {
    try {
      DescribeWorkflowExecutionResponse described = stubs.blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(EmbeddedTemporal.NAMESPACE)
              .setExecution(WorkflowExecution.newBuilder()
                  .setWorkflowId(RepairIds.workflowId(simulator.cluster().name(), node)))
              .build());
      return Optional.of(new Execution(described.getWorkflowExecutionInfo().getExecution().getRunId(),
          described.getWorkflowExecutionInfo().getStatus()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The result of a closed run. */
  RepairResult result(String node, String runId) throws TimeoutException {
    return client.newUntypedWorkflowStub(RepairIds.workflowId(simulator.cluster().name(), node),
        Optional.of(runId), Optional.empty()).getResult(10, TimeUnit.SECONDS, RepairResult.class);
  }

  /** Waits until {@code count} nodes are Ready and none of {@code gone} remains; returns the Ready count. */
  int awaitReadyNodes(int count, List<String> gone, Duration timeout) throws InterruptedException {
    try {
      simulator.nodes().await(count + " Ready nodes, none of them a replaced one",
          nodes -> nodes.size() == count && nodes.stream().allMatch(NodeConditions::isReady)
              && nodes.stream().noneMatch(n -> gone.contains(n.getMetadata().getName())),
          timeout);
    } catch (TimeoutException e) {
      // reported through the count
    }
    return (int) simulator.nodes().nodes().stream().filter(NodeConditions::isReady).count();
  }

  Path workDir() {
    return workDir;
  }

  @Override
  public void close() throws Exception {
    for (ChildJvm process : processes) {
      process.close();
    }
    stubs.shutdownNow();
    invariants.close();
    temporal.close();
    simulator.close();
  }

  /** Sets top-level keys of the sandbox's config.yaml; each must be there already. */
  private static void override(Path config, Map<String, String> settings) throws IOException {
    String yaml = Files.readString(config);
    for (Map.Entry<String, String> setting : settings.entrySet()) {
      Matcher line = Pattern.compile("(?m)^" + Pattern.quote(setting.getKey()) + ":.*$").matcher(yaml);
      if (!line.find()) {
        throw new IllegalArgumentException("config.yaml has no top-level key " + setting.getKey());
      }
      yaml = line.replaceFirst(Matcher.quoteReplacement(setting.getKey() + ": " + setting.getValue()));
    }
    Files.writeString(config, yaml);
  }
}
