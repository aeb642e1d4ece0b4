package io.autohealer.simulator.sandbox;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.InvariantChecker;
import io.autohealer.simulator.invariants.SimulatorInvariants;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The whole product on one machine: a Temporal server (the embedded test server, or the dev server
 * with its Web UI), the simulated cluster, a worker and a detector each in a JVM of its own. Breaks
 * nodes and follows their repairs to the end.
 */
public final class Sandbox {
  private static final Set<RepairOutcome> REPAIRED =
      EnumSet.of(RepairOutcome.REBOOTED, RepairOutcome.REPLACED, RepairOutcome.REBUILT);

  /**
   * @param temporalPort gRPC port of the Temporal server (0 = any free port)
   * @param simulator the simulated cluster
   * @param brokenWorkers how many workers break
   * @param brokenMasters how many masters break
   * @param fault what breaks: KUBELET_STOPPED (a reboot heals it) or BROKEN_UNTIL_REPLACED
   * @param requireApproval whether each repair waits for an operator's approval
   * @param unhealthyDuration the NodeCondition check's unhealthy-duration
   * @param timeout the longest the whole run may take
   * @param workDir where config.yaml and the processes' logs go (and the dev server's db file)
   * @param realTemporal the Temporal CLI's dev server with its Web UI instead of the embedded test server
   * @param uiPort the dev server's Web UI port (0 = any free port); unused without realTemporal
   */
  public record Options(int temporalPort, Simulator.Options simulator, int brokenWorkers, int brokenMasters,
      NodeFault fault, boolean requireApproval, Duration unhealthyDuration, Duration timeout, Path workDir,
      boolean realTemporal, int uiPort) {

    public Options(int temporalPort, Simulator.Options simulator, int brokenWorkers, int brokenMasters,
        NodeFault fault, boolean requireApproval, Duration unhealthyDuration, Duration timeout, Path workDir) {
      this(temporalPort, simulator, brokenWorkers, brokenMasters, fault, requireApproval, unhealthyDuration,
          timeout, workDir, false, 0);
    }

    public static Options defaults(Path workDir) {
      return new Options(7233, Simulator.Options.defaults(), 1, 0, NodeFault.KUBELET_STOPPED, false,
          Duration.ofSeconds(10), Duration.ofSeconds(110), workDir);
    }

    public Options withTemporalPort(int port) {
      return new Options(port, simulator, brokenWorkers, brokenMasters, fault, requireApproval,
          unhealthyDuration, timeout, workDir, realTemporal, uiPort);
    }

    public Options withBroken(int workers, int masters, NodeFault f) {
      return new Options(temporalPort, simulator, workers, masters, f, requireApproval, unhealthyDuration,
          timeout, workDir, realTemporal, uiPort);
    }

    public Options withApproval(boolean required) {
      return new Options(temporalPort, simulator, brokenWorkers, brokenMasters, fault, required,
          unhealthyDuration, timeout, workDir, realTemporal, uiPort);
    }

    public Options withTimings(Duration unhealthy, Duration total) {
      return new Options(temporalPort, simulator, brokenWorkers, brokenMasters, fault, requireApproval,
          unhealthy, total, workDir, realTemporal, uiPort);
    }

    /** On the Temporal CLI's dev server, its Web UI on {@code port} (0 = any free port). */
    public Options withRealTemporal(int port) {
      return new Options(temporalPort, simulator, brokenWorkers, brokenMasters, fault, requireApproval,
          unhealthyDuration, timeout, workDir, true, port);
    }

    SandboxTemporal startTemporal() {
      return realTemporal ? SandboxTemporal.devServer(temporalPort, uiPort, workDir)
          : SandboxTemporal.embedded(temporalPort);
    }
  }

  /**
   * What a run did: each broken node's result, the cluster's Ready nodes at the end, and how many
   * times each OpenStack operation was called (e.g. {@code magnum.resize}).
   */
  public record Report(Map<String, RepairResult> results, List<String> broken, int readyNodes,
      int expectedNodes, Duration took, Map<String, Long> openstackCalls) {

    public boolean success() {
      return results.keySet().containsAll(broken)
          && results.values().stream().allMatch(r -> REPAIRED.contains(r.outcome()))
          && readyNodes == expectedNodes;
    }
  }

  private final Options options;
  private final PrintStream out;
  private final Consumer<SandboxControl> onRepairsStarted;

  public Sandbox(Options options, PrintStream out) {
    this(options, out, control -> {});
  }

  /** @param onBroken called once the nodes are broken, e.g. to approve repairs from a test */
  public Sandbox(Options options, PrintStream out, Consumer<SandboxControl> onBroken) {
    this.options = options;
    this.out = out;
    this.onRepairsStarted = onBroken;
  }

  /** What a caller may do while the sandbox runs. */
  public record SandboxControl(WorkflowClient client, String cluster, List<String> broken) {}

  public Report run() throws Exception {
    Instant start = Instant.now();
    Instant deadline = start.plus(options.timeout());
    Simulator.Options sim = options.simulator();
    int expected = sim.masters() + sim.workers();
    out.printf("Starting a simulated Magnum cluster %s: %d masters, %d workers (speed x%.0f)%n",
        sim.clusterName(), sim.masters(), sim.workers(), sim.speed());
    try (Simulator simulator = Simulator.start(sim, Duration.ofMinutes(1));
        SandboxTemporal temporal = options.startTemporal()) {
      Path config = SandboxConfig.write(options.workDir(), simulator, temporal.target(),
          options.unhealthyDuration(), options.requireApproval());
      // Detached when the simulator closes; a breach fails the run at once, with its trail.
      InvariantChecker invariants = SimulatorInvariants.attach(simulator, ConfigLoader.load(config).safety()).checker();
      out.printf("%s; config, worker.log and detector.log in %s%n", temporal.describe(), options.workDir());
      try (ChildJvm worker = ChildJvm.start("worker", WorkerMain.class,
              options.workDir().resolve("worker.log"), workerArgs(config, temporal));
          ChildJvm detector = ChildJvm.start("detector", DetectorMain.class,
              options.workDir().resolve("detector.log"), List.of("--config", config.toString()))) {
        List<String> broken = breakNodes(simulator);
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
        try {
          WorkflowClient client = WorkflowClient.newInstance(stubs,
              WorkflowClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
          if (options.requireApproval()) {
            out.printf("Repairs wait for approval: bin/autohealer repairs approve <node> --cluster %s --address %s%n",
                sim.clusterName(), temporal.target());
          }
          onRepairsStarted.accept(new SandboxControl(client, sim.clusterName(), broken));
          Map<String, RepairResult> results = new RepairWatcher(client, sim.clusterName(), out,
              () -> {
                requireAlive(worker, detector);
                invariants.assertNoBreach();
              }, temporal::workflowUrl).watch(broken, deadline);
          int ready = awaitHealthyCluster(simulator, results, expected, deadline);
          invariants.assertNoBreach();
          return new Report(results, broken, ready, expected, Duration.between(start, Instant.now()),
              simulator.openstack().callCounts());
        } finally {
          stubs.shutdownNow();
        }
      }
    }
  }

  /** The worker's arguments; {@code --test-server} (no sticky queues) only on the Java test server. */
  static List<String> workerArgs(Path config, SandboxTemporal temporal) {
    List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--metrics-port", "0"));
    if (temporal.isTestServer()) {
      args.add("--test-server");
    }
    return args;
  }

  private List<String> breakNodes(Simulator simulator) {
    List<String> broken = new ArrayList<>(simulator.workerNodes().subList(0, options.brokenWorkers()));
    broken.addAll(simulator.masterNodes().subList(0, options.brokenMasters()));
    String how = options.fault() == NodeFault.KUBELET_STOPPED
        ? "its kubelet stopped (a reboot heals it)" : "it broke in a way a reboot does not heal";
    for (String node : broken) {
      simulator.breakNode(node, options.fault());
      out.printf("Broke %s: %s%n", node, how);
    }
    return broken;
  }

  private static void requireAlive(ChildJvm... processes) {
    for (ChildJvm process : processes) {
      if (!process.isAlive()) {
        throw new IllegalStateException(process.name() + " exited; see " + process.log());
      }
    }
  }

  /**
   * The number of Ready nodes once every node is Ready and no replaced node remains, or as it is
   * at the deadline.
   */
  private static int awaitHealthyCluster(Simulator simulator, Map<String, RepairResult> results, int expected,
      Instant deadline) throws InterruptedException {
    List<String> replaced = results.entrySet().stream()
        .filter(e -> e.getValue().outcome() == RepairOutcome.REPLACED).map(Map.Entry::getKey).toList();
    try {
      Duration left = Duration.between(Instant.now(), deadline);
      simulator.nodes().await(expected + " Ready nodes, none of them a replaced one",
          nodes -> readyCount(nodes) == expected && nodes.size() == expected
              && nodes.stream().noneMatch(n -> replaced.contains(n.getMetadata().getName())),
          left.isNegative() ? Duration.ZERO : left);
    } catch (TimeoutException e) {
      // reported through the Ready count
    }
    return readyCount(simulator.nodes().nodes());
  }

  private static int readyCount(List<Node> nodes) {
    return (int) nodes.stream().filter(NodeConditions::isReady).count();
  }
}
