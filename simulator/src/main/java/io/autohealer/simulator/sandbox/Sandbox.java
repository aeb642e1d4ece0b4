package io.autohealer.simulator.sandbox;

import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.worker.WorkerMain;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The whole product on one machine: an embedded Temporal server, the simulated cluster, a worker
 * and a detector each in a JVM of its own. Breaks workers and follows their repairs to the end.
 */
public final class Sandbox {

  /**
   * @param temporalPort port of the embedded Temporal server (0 = any free port)
   * @param simulator the simulated cluster
   * @param brokenWorkers how many workers stop their kubelet
   * @param unhealthyDuration the NodeCondition check's unhealthy-duration
   * @param timeout the longest the whole run may take
   * @param workDir where config.yaml and the processes' logs go
   */
  public record Options(int temporalPort, Simulator.Options simulator, int brokenWorkers,
      Duration unhealthyDuration, Duration timeout, Path workDir) {}

  /**
   * What a run did: each broken node's result, the cluster's Ready nodes at the end, and how many
   * times each OpenStack operation was called (e.g. {@code magnum.resize}).
   */
  public record Report(Map<String, RepairResult> results, List<String> broken, int readyNodes,
      int expectedNodes, Duration took, Map<String, Long> openstackCalls) {

    public boolean success() {
      return results.keySet().containsAll(broken)
          && results.values().stream().allMatch(r -> r.outcome() == RepairOutcome.REPLACED)
          && readyNodes == expectedNodes;
    }
  }

  private final Options options;
  private final PrintStream out;

  public Sandbox(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public Report run() throws Exception {
    Instant start = Instant.now();
    Instant deadline = start.plus(options.timeout());
    Simulator.Options sim = options.simulator();
    int expected = sim.masters() + sim.workers();
    out.printf("Starting a simulated Magnum cluster %s: %d masters, %d workers (speed x%.0f)%n",
        sim.clusterName(), sim.masters(), sim.workers(), sim.speed());
    try (Simulator simulator = Simulator.start(sim, Duration.ofMinutes(1));
        EmbeddedTemporal temporal = EmbeddedTemporal.start(options.temporalPort())) {
      Path config = SandboxConfig.write(options.workDir(), simulator, temporal.target(),
          options.unhealthyDuration());
      out.printf("Temporal test server at %s; config, worker.log and detector.log in %s%n",
          temporal.target(), options.workDir());
      try (ChildJvm worker = ChildJvm.start("worker", WorkerMain.class,
              options.workDir().resolve("worker.log"), List.of("--config", config.toString(), "--test-server", "--metrics-port", "0"));
          ChildJvm detector = ChildJvm.start("detector", DetectorMain.class,
              options.workDir().resolve("detector.log"), List.of("--config", config.toString()))) {
        List<String> broken = simulator.workerNodes().subList(0, options.brokenWorkers());
        for (String node : broken) {
          simulator.breakNode(node, NodeFault.KUBELET_STOPPED);
          out.printf("Broke %s: its kubelet stopped%n", node);
        }
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
        try {
          WorkflowClient client = WorkflowClient.newInstance(stubs,
              WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
          Map<String, RepairResult> results = new RepairWatcher(client, sim.clusterName(), out,
              () -> requireAlive(worker, detector)).watch(broken, deadline);
          int ready = awaitHealthyCluster(simulator, broken, expected, deadline);
          return new Report(results, broken, ready, expected, Duration.between(start, Instant.now()),
              simulator.openstack().callCounts());
        } finally {
          stubs.shutdownNow();
        }
      }
    }
  }

  private static void requireAlive(ChildJvm... processes) {
    for (ChildJvm process : processes) {
      if (!process.isAlive()) {
        throw new IllegalStateException(process.name() + " exited; see " + process.log());
      }
    }
  }

  /** The number of Ready nodes once every node is Ready and no broken node remains, or as it is at the deadline. */
  private static int awaitHealthyCluster(Simulator simulator, List<String> broken, int expected, Instant deadline)
      throws InterruptedException {
    try {
      simulator.nodes().await(expected + " Ready nodes, none of them a broken one",
          nodes -> readyCount(nodes) == expected && nodes.size() == expected
              && nodes.stream().noneMatch(n -> broken.contains(n.getMetadata().getName())),
          Duration.between(Instant.now(), deadline).isNegative()
              ? Duration.ZERO : Duration.between(Instant.now(), deadline));
    } catch (TimeoutException e) {
      // reported through the Ready count
    }
    return readyCount(simulator.nodes().nodes());
  }

  private static int readyCount(List<Node> nodes) {
    return (int) nodes.stream().filter(NodeConditions::isReady).count();
  }
}
