package io.autohealer.bench;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.NodeFacts;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.sandbox.ChildJvm;
import io.autohealer.simulator.sandbox.EmbeddedTemporal;
import io.autohealer.worker.WorkerMain;
import io.autohealer.workflows.RepairRequest;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A simulated cluster, the embedded Temporal server, and one worker process (its own JVM, so its
 * heap is its own), with a client to start and follow repairs. For the worker-side benchmarks.
 */
final class BenchCluster implements AutoCloseable {
  final Simulator simulator;
  final EmbeddedTemporal temporal;
  final Path config;
  final ChildJvm worker;
  final WorkflowServiceStubs stubs;
  final WorkflowClient client;

  /**
   * @param repairSection the config's {@code repair:} section (indented by two), empty for the defaults
   * @param workerJvmOptions the worker JVM's options
   */
  BenchCluster(Simulator.Options options, Path workDir, String repairSection, List<String> workerJvmOptions)
      throws Exception {
    simulator = Simulator.start(options, Duration.ofMinutes(3));
    try {
      temporal = EmbeddedTemporal.start(0);
      config = writeConfig(workDir, simulator, temporal.target(), repairSection);
      worker = ChildJvm.start("worker", WorkerMain.class, workDir.resolve("worker.log"), workerJvmOptions,
          List.of("--config", config.toString(), "--test-server", "--metrics-port", "0"));
      stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      client = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
    } catch (Exception | Error e) {
      simulator.close();
      throw e;
    }
  }

  AutoHealerConfig loadConfig() {
    return ConfigLoader.load(config);
  }

  String cluster() {
    return simulator.cluster().name();
  }

  /** The request the detector would send for {@code node}. */
  RepairRequest request(Node node, String reason) {
    return new RepairRequest(cluster(), node.getMetadata().getName(), NodeFacts.serverId(node).orElseThrow(),
        NodeFacts.role(node), NodeFacts.nodegroup(node), NodeFacts.addresses(node), "NodeCondition",
        reason, Instant.now(), loadConfig().repair());
  }

  WorkflowExecutionInfo describe(String workflowId) {
    return stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
        .setNamespace(EmbeddedTemporal.NAMESPACE)
        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
        .build()).getWorkflowExecutionInfo();
  }

  static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Heap used after a full GC, and resident memory, of the worker process (jcmd, /proc). */
  String workerMemory() throws IOException, InterruptedException {
    jcmd("GC.run");
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K").matcher(info);
    String heap = m.find() ? "heap used " + (Long.parseLong(m.group(2)) >> 10) + " MiB of "
        + (Long.parseLong(m.group(1)) >> 10) + " MiB committed" : "heap: " + info.strip();
    String rss = Files.readAllLines(Path.of("/proc", Long.toString(worker.pid()), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("VmRSS: ?");
    return heap + ", " + rss;
  }

  /** Heap used after a full GC, MiB, of the worker process. */
  long workerHeapMiB() throws IOException, InterruptedException {
    jcmd("GC.run");
    jcmd("GC.run");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K")
        .matcher(jcmd("GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(2)) >> 10 : -1;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(worker.pid()), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }

  private static Path writeConfig(Path dir, Simulator simulator, String temporalTarget, String repairSection)
      throws IOException {
    KeystoneAccount account = simulator.openstack().account();
    String yaml = """
        cluster-name: %s
        dry-run: false
        leader-elect: false
        metrics-port: 0
        kubernetes:
          api-host: %s
        openstack:
          auth-url: %s
          user-id: %s
          project-id: %s
          password: %s
          region: RegionOne
        temporal:
          address: %s
          namespace: %s
        repair:
        %s
        """.formatted(simulator.cluster().name(), simulator.kubernetes().masterUrl(),
        simulator.openstack().authUrl(), account.userId(), account.projectId(), account.password(),
        temporalTarget, EmbeddedTemporal.NAMESPACE, repairSection.isBlank() ? "  drain: true" : repairSection);
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("config.yaml"), yaml);
  }

  @Override
  public void close() throws Exception {
    stubs.shutdownNow();
    worker.close();
    temporal.close();
    simulator.close();
  }
}
