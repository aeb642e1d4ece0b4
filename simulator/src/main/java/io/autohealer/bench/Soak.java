package io.autohealer.bench;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.Breach;
import io.autohealer.simulator.invariants.InvariantChecker;
import io.autohealer.simulator.invariants.SimulatorInvariants;
import io.autohealer.simulator.openstack.FaultInjector;
import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.sandbox.ChildJvm;
import io.autohealer.simulator.sandbox.EmbeddedTemporal;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.worker.WorkerMain;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak ({@code bin/soak}): random failures on a simulated cluster (kubelets that stop, servers
 * that break in a way a reboot does not heal, servers that crash into ERROR, and OpenStack answering
 * a fifth of its calls with 503 for a while), healed by a real worker and a real detector (processes
 * of their own) on the embedded Temporal server, with the {@link InvariantChecker} watching every
 * action. A failure is done when its node's repair closed (or after {@code --failure-timeout} with
 * no repair). Prints the repairs by outcome, the repair times, the actions per repair and every
 * invariant breach; exits 1 on a breach or a failure nobody repaired.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Random failures on a simulated cluster, healed by the real worker and detector, checked by the invariant checker.")
public final class Soak implements Callable<Integer> {
  enum Kind { KUBELET_STOPPED, REBOOT_DOES_NOT_HELP, SERVER_CRASH, API_FAULTS }

  @Option(names = "--failures", defaultValue = "1000", description = "Failures to inject (default: ${DEFAULT-VALUE}).")
  int failures;

  @Option(names = "--workers", defaultValue = "297", description = "Worker nodes (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--masters", defaultValue = "3", description = "Master nodes (default: ${DEFAULT-VALUE}).")
  int masters;

  @Option(names = "--speed", defaultValue = "60",
      description = "Simulated servers boot, stop and update this many times faster than real ones (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--at-once", defaultValue = "10",
      description = "Failures outstanding at once; also max-concurrent-repairs (default: ${DEFAULT-VALUE}).")
  int atOnce;

  @Option(names = "--master-share", defaultValue = "0.03",
      description = "Share of failures that hit a master, when no other master is down (default: ${DEFAULT-VALUE}).")
  double masterShare;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--failure-timeout", defaultValue = "5m",
      description = "How long a failure may wait for its repair to close (default: ${DEFAULT-VALUE}).")
  String failureTimeout;

  @Option(names = "--timeout", defaultValue = "45m", description = "The longest the whole soak may run (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--work-dir", defaultValue = "target/soak",
      description = "Where config.yaml, worker.log and detector.log go (default: ${DEFAULT-VALUE}).")
  Path workDir;

  private record Failure(int number, Kind kind, String node, boolean master, Instant at) {}

  private record Done(Failure failure, RepairOutcome outcome, Duration repairTime, Duration sinceFailure,
      String message) {}

  public static void main(String[] args) {
    Bench.quietLogs();
    System.exit(new CommandLine(new Soak()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Duration perFailure = io.autohealer.config.GoDuration.parse(failureTimeout).orElseThrow(
        () -> new CommandLine.ParameterException(new CommandLine(this), "--failure-timeout: not a duration: " + failureTimeout));
    Duration total = io.autohealer.config.GoDuration.parse(timeout).orElseThrow(
        () -> new CommandLine.ParameterException(new CommandLine(this), "--timeout: not a duration: " + timeout));
    Instant started = Instant.now();
    Instant deadline = started.plus(total);
    Random random = new Random(seed);
    System.out.printf(Locale.ROOT, "soak: %,d failures on %d masters + %d workers, speed x%s, %d at once, seed %d;"
        + " load average %s%n", failures, masters, workers, speed, atOnce, seed, loadAverage());
    try (Simulator simulator = Simulator.start(new Simulator.Options("soak", masters, workers, speed),
            Duration.ofMinutes(5));
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      Path config = writeConfig(simulator, temporal.target());
      try (SimulatorInvariants attached = SimulatorInvariants.attach(simulator, ConfigLoader.load(config).safety());
          ChildJvm worker = ChildJvm.start("worker", WorkerMain.class, workDir.resolve("worker.log"),
              List.of("-Xmx512m", "-XX:+UseSerialGC"),
              List.of("--config", config.toString(), "--test-server", "--metrics-port", "0"));
          ChildJvm detector = ChildJvm.start("detector", DetectorMain.class, workDir.resolve("detector.log"),
              List.of("-Xmx256m", "-XX:+UseSerialGC"), List.of("--config", config.toString()))) {
        InvariantChecker checker = attached.checker();
        System.out.printf(Locale.ROOT, "cluster up after %,d s; worker and detector started; logs in %s%n",
            Duration.between(started, Instant.now()).toSeconds(), workDir);
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
        try {
          WorkflowClient client = WorkflowClient.newInstance(stubs,
              WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
          List<Done> done = run(simulator, client, stubs, checker, random, perFailure, deadline, worker, detector);
          return summarise(done, checker, Duration.between(started, Instant.now()));
        } finally {
          stubs.shutdownNow();
        }
      }
    }
  }

  private List<Done> run(Simulator simulator, WorkflowClient client, WorkflowServiceStubs stubs,
      InvariantChecker checker, Random random, Duration perFailure, Instant deadline, ChildJvm worker,
      ChildJvm detector) throws Exception {
    List<Failure> outstanding = new ArrayList<>();
    List<Done> done = new ArrayList<>();
    Set<String> retired = new HashSet<>(); // left broken by a repair that did not heal them
    Map<String, Instant> lastDone = new HashMap<>();
    Instant apiFaultsUntil = Instant.MIN;
    int injected = 0;
    Instant lastReport = Instant.now();
    while (injected < failures || !outstanding.isEmpty()) {
      if (Instant.now().isAfter(deadline)) {
        System.out.printf(Locale.ROOT, "soak timeout: %d failures injected, %d done, %d outstanding%n",
            injected, done.size(), outstanding.size());
        break;
      }
      if (!worker.isAlive() || !detector.isAlive()) {
        throw new IllegalStateException((worker.isAlive() ? "the detector" : "the worker") + " exited; see " + workDir);
      }
      if (!checker.breaches().isEmpty()) {
        break;
      }
      if (apiFaultsUntil != Instant.MIN && Instant.now().isAfter(apiFaultsUntil)) {
        simulator.openstack().faults().clear();
        apiFaultsUntil = Instant.MIN;
      }
      while (injected < failures && outstanding.size() < atOnce) {
        Failure failure = inject(simulator, random, injected + 1, outstanding, retired, lastDone,
            apiFaultsUntil == Instant.MIN);
        if (failure == null) {
          break;
        }
        if (failure.kind() == Kind.API_FAULTS) {
          apiFaultsUntil = Instant.now().plusSeconds(20);
        }
        outstanding.add(failure);
        injected++;
      }
      for (Iterator<Failure> it = outstanding.iterator(); it.hasNext(); ) {
        Failure failure = it.next();
        Done finished = finished(client, stubs, simulator.cluster().name(), failure, perFailure);
        if (finished != null) {
          it.remove();
          done.add(finished);
          lastDone.put(failure.node(), Instant.now());
          if (finished.outcome() == null || finished.outcome() == RepairOutcome.FAILED
              || finished.outcome() == RepairOutcome.CANCELLED) {
            retired.add(failure.node());
            System.out.printf(Locale.ROOT, "failure %d (%s on %s): %s: %s%n", failure.number(), failure.kind(),
                failure.node(), finished.outcome() == null ? "no repair closed" : finished.outcome(),
                finished.message());
          }
        }
      }
      if (Duration.between(lastReport, Instant.now()).toSeconds() >= 60) {
        lastReport = Instant.now();
        System.out.printf(Locale.ROOT, "  %s: %,d injected, %,d done, %d outstanding, %d breaches, load average %s%n",
            lastReport, injected, done.size(), outstanding.size(), checker.breaches().size(), loadAverage());
      }
      Thread.sleep(250);
    }
    simulator.openstack().faults().clear();
    return done;
  }

  /** Breaks a random node that is Ready, not being repaired and not recently repaired; null if none. */
  private Failure inject(Simulator simulator, Random random, int number, List<Failure> outstanding,
      Set<String> retired, Map<String, Instant> lastDone, boolean apiFaultsAllowed) {
    Set<String> busy = outstanding.stream().map(Failure::node).collect(Collectors.toSet());
    boolean masterDown = outstanding.stream().anyMatch(Failure::master);
    List<Node> nodes = simulator.nodes().nodes();
    boolean mastersAllReady = nodes.stream().filter(n -> n.getMetadata().getName().contains("master"))
        .filter(NodeConditions::isReady).count() == masters;
    boolean master = !masterDown && mastersAllReady && random.nextDouble() < masterShare;
    List<String> candidates = nodes.stream()
        .filter(NodeConditions::isReady)
        .filter(n -> n.getSpec().getUnschedulable() == null || !n.getSpec().getUnschedulable())
        .map(n -> n.getMetadata().getName())
        .filter(n -> n.contains("master") == master)
        .filter(n -> !busy.contains(n) && !retired.contains(n))
        .filter(n -> !lastDone.containsKey(n) || lastDone.get(n).isBefore(Instant.now().minusSeconds(30)))
        .filter(n -> simulator.world().serverByName(n).map(SimServer::kubeletHealthy).orElse(false))
        .sorted().toList();
    if (candidates.isEmpty()) {
      return null;
    }
    String node = candidates.get(random.nextInt(candidates.size()));
    double roll = random.nextDouble();
    Kind kind = roll < 0.45 ? Kind.KUBELET_STOPPED : roll < 0.70 ? Kind.REBOOT_DOES_NOT_HELP
        : roll < 0.88 || !apiFaultsAllowed ? Kind.SERVER_CRASH : Kind.API_FAULTS;
    switch (kind) {
      case KUBELET_STOPPED -> simulator.breakNode(node, NodeFault.KUBELET_STOPPED);
      case REBOOT_DOES_NOT_HELP -> simulator.breakNode(node, NodeFault.BROKEN_UNTIL_REPLACED);
      case SERVER_CRASH -> simulator.openstack().breakServer(simulator.world().serverByName(node).orElseThrow().id());
      case API_FAULTS -> {
        // OpenStack answers a fifth of every call with 503 for 20 s, while a kubelet stops.
        simulator.openstack().faults().errorRate(FaultInjector.ANY, 0.2, 503);
        simulator.breakNode(node, NodeFault.KUBELET_STOPPED);
      }
    }
    return new Failure(number, kind, node, master, Instant.now());
  }

  /** The failure's outcome once the repair started after it has closed; a null outcome after the timeout. */
  private static Done finished(WorkflowClient client, WorkflowServiceStubs stubs, String cluster, Failure failure,
      Duration perFailure) {
    String id = RepairIds.workflowId(cluster, failure.node());
    WorkflowExecutionInfo info = null;
    try {
      info = stubs.blockingStub().describeWorkflowExecution(
          io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(EmbeddedTemporal.NAMESPACE)
              .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(id))
              .build()).getWorkflowExecutionInfo();
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) {
        throw e;
      }
    }
    boolean ours = info != null && BenchCluster.instant(info.getStartTime()).isAfter(failure.at());
    if (ours && info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      Instant start = BenchCluster.instant(info.getStartTime());
      Instant close = BenchCluster.instant(info.getCloseTime());
      RepairResult result;
      try {
        result = WorkflowStub.fromTyped(client.newWorkflowStub(RepairNodeWorkflow.class, id)).getResult(RepairResult.class);
      } catch (RuntimeException e) {
        return new Done(failure, RepairOutcome.FAILED, Duration.between(start, close),
            Duration.between(failure.at(), close), "the workflow failed: " + e);
      }
      return new Done(failure, result.outcome(), Duration.between(start, close), Duration.between(failure.at(), close),
          result.message());
    }
    if (!ours && Instant.now().isAfter(failure.at().plus(perFailure))) {
      return new Done(failure, null, null, null, "no repair started within " + perFailure);
    }
    if (ours && Instant.now().isAfter(failure.at().plus(perFailure.multipliedBy(3)))) {
      return new Done(failure, null, null, null, "its repair still runs after " + perFailure.multipliedBy(3));
    }
    return null;
  }

  private int summarise(List<Done> done, InvariantChecker checker, Duration took) {
    System.out.println();
    System.out.printf(Locale.ROOT, "soak summary: %,d failures done in %s (speed x%s, %d masters + %d workers,"
        + " %d at once), load average %s%n", done.size(), took.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
        speed, masters, workers, atOnce, loadAverage());
    Map<Kind, Long> byKind = done.stream().collect(Collectors.groupingBy(d -> d.failure().kind(),
        () -> new EnumMap<>(Kind.class), Collectors.counting()));
    System.out.println("failures by kind: " + byKind);
    Map<String, Long> byOutcome = done.stream().collect(Collectors.groupingBy(
        d -> d.outcome() == null ? "NOT_REPAIRED" : d.outcome().name(), TreeMap::new, Collectors.counting()));
    System.out.println("repairs by outcome: " + byOutcome);
    Map<String, Map<String, Long>> kindOutcome = new TreeMap<>();
    for (Done d : done) {
      kindOutcome.computeIfAbsent(d.failure().kind() + (d.failure().master() ? " (master)" : ""), k -> new TreeMap<>())
          .merge(d.outcome() == null ? "NOT_REPAIRED" : d.outcome().name(), 1L, Long::sum);
    }
    kindOutcome.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    List<Duration> repairTimes = done.stream().map(Done::repairTime).filter(d -> d != null).sorted().toList();
    List<Duration> sinceFailure = done.stream().map(Done::sinceFailure).filter(d -> d != null).sorted().toList();
    if (!repairTimes.isEmpty()) {
      System.out.printf(Locale.ROOT, "repair time (workflow start to close): p50 %.1f s, p95 %.1f s, max %.1f s%n",
          secs(RepairStartLatency.percentile(repairTimes, 50)), secs(RepairStartLatency.percentile(repairTimes, 95)),
          secs(repairTimes.get(repairTimes.size() - 1)));
      System.out.printf(Locale.ROOT, "failure to repaired (includes the detector's unhealthy-duration): p50 %.1f s,"
              + " p95 %.1f s%n", secs(RepairStartLatency.percentile(sinceFailure, 50)),
          secs(RepairStartLatency.percentile(sinceFailure, 95)));
    }
    List<InvariantChecker.RecordedAction> actions = checker.actions();
    Map<String, Long> byAction = actions.stream().collect(Collectors.groupingBy(a -> a.action().name(), TreeMap::new,
        Collectors.counting()));
    long repairs = Math.max(1, repairTimes.size());
    System.out.printf(Locale.ROOT, "OpenStack actions: %,d, %.2f per repair: %s%n", actions.size(),
        (double) actions.size() / repairs, byAction);
    List<Breach> breaches = checker.breaches();
    System.out.printf(Locale.ROOT, "invariant breaches: %d%n", breaches.size());
    breaches.forEach(b -> System.out.println(b.describe()));
    long notRepaired = byOutcome.getOrDefault("NOT_REPAIRED", 0L);
    return breaches.isEmpty() && notRepaired == 0 && done.size() == failures ? 0 : 1;
  }

  private static double secs(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private Path writeConfig(Simulator simulator, String temporalTarget) throws java.io.IOException {
    KeystoneAccount account = simulator.openstack().account();
    String yaml = """
        cluster-name: %s
        dry-run: false
        monitor-interval: 2s
        check-delay-after-add: 5s
        leader-elect: false
        max-unhealthy: 20%%
        max-concurrent-repairs: %d
        max-concurrent-master-repairs: 1
        repair-cooldown: 1s
        repair-budget: 100000
        metrics-port: 0
        healthcheck:
          master:
            - type: NodeCondition
              params: {unhealthy-duration: 5s, types: ["Ready"], ok-values: ["True"]}
          worker:
            - type: NodeCondition
              params: {unhealthy-duration: 5s, types: ["Ready"], ok-values: ["True"]}
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
        rebuild-delay-after-reboot: 10s
        repair:
          poll-interval: 1s
          gate-recheck-interval: 2s
          drain-timeout: 60s
          csi-detach-timeout: 10s
        """.formatted(simulator.cluster().name(), atOnce, simulator.kubernetes().masterUrl(),
        simulator.openstack().authUrl(), account.userId(), account.projectId(), account.password(),
        temporalTarget, EmbeddedTemporal.NAMESPACE);
    Files.createDirectories(workDir);
    return Files.writeString(workDir.resolve("config.yaml"), yaml);
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
