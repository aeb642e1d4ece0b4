package io.autohealer.bench;

import ch.qos.logback.classic.Level;
import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.Detector;
import io.autohealer.detector.HealthCheckRegistry;
import io.autohealer.detector.HealthChecks;
import io.autohealer.detector.HealthReporter;
import io.autohealer.detector.PassSummary;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.realkube.KubeTestbed;
import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The detector benchmark on a real kube-apiserver (not a test: it prints numbers). For each size it
 * starts the test bed (etcd, kube-apiserver built from Go modules, kwok), creates that many kwok
 * Nodes (3 masters, the rest workers; kwok keeps them Ready and renews their Leases), starts a
 * {@link Detector} as a ServiceAccount of its own, and counts every request the detector makes, by
 * verb and resource, from the apiserver's audit log ({@link AuditCounter}): at start-up, in each
 * NodeCondition pass, and in an idle window after the passes. Also shown: the detector thread's CPU
 * per pass, the heap, what one full LIST of the Nodes costs (the Go service makes two per pass), the
 * CPU the control plane spent meanwhile, and the load average.
 *
 * <p>Run with {@code bin/bench-detector --real-kubernetes}; the mock-server variant is {@link
 * DetectorBenchmark}.
 */
@Command(name = "bench-detector --real-kubernetes", mixinStandardHelpOptions = true,
    description = "Benchmarks detector passes over kwok nodes on a real kube-apiserver (bin/tools/install-kube-testbed).")
public final class RealKubeDetectorBenchmark implements Callable<Integer> {
  static final String NAMESPACE = "autohealer-bench";
  static final String SERVICE_ACCOUNT = "detector";
  static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;

  @Option(names = "--sizes", split = ",", defaultValue = "1000,5000",
      description = "Cluster sizes, kwok nodes (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--passes", defaultValue = "5", description = "NodeCondition passes measured per size (default: ${DEFAULT-VALUE}).")
  int passes;

  @Option(names = "--idle", defaultValue = "30", description = "Seconds of steady state after the passes in which requests are counted too (default: ${DEFAULT-VALUE}).")
  int idleSeconds;

  @Option(names = "--work-dir", defaultValue = "simulator/target/real-kube-bench",
      description = "Where each size's control plane keeps its files and logs (default: ${DEFAULT-VALUE}).")
  Path workDir;

  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.autohealer")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.fabric8")).setLevel(Level.WARN);
    System.exit(new CommandLine(new RealKubeDetectorBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (KubeTestbed.find().isEmpty()) {
      System.err.println(KubeTestbed.missingMessage());
      return 2;
    }
    for (int size : sizes) {
      if (size <= KwokNodes.MASTERS) {
        System.err.printf("--sizes: %d is too small; each size needs more than %d nodes (3 masters and workers)%n",
            size, KwokNodes.MASTERS);
        return 2;
      }
    }
    Runtime runtime = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "detector benchmark on the real kube-apiserver (%s): Java %s, %d CPUs, max heap %d MiB, sizes %s%n",
        KubeTestbed.find().orElseThrow().getFileName(), System.getProperty("java.version"),
        runtime.availableProcessors(), runtime.maxMemory() >> 20, sizes);
    List<String> table = new ArrayList<>();
    for (int size : sizes) {
      Path dir = workDir.toAbsolutePath().resolve(size + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      System.out.println();
      System.out.printf(Locale.ROOT, "== %,d kwok nodes (3 masters, %,d workers); files in %s%n", size, size - 3, dir);
      try (RealKubeApiServer kube = startControlPlane(dir)) {
        Result result = measure(kube, dir, size, passes, Duration.ofSeconds(idleSeconds));
        result.print(System.out);
        table.add(result.summary());
      }
    }
    System.out.println();
    System.out.println("summary");
    table.forEach(System.out::println);
    return 0;
  }

  /** The test bed with kwok and the audit log of the benchmark's detector user turned on. */
  static RealKubeApiServer startControlPlane(Path dir) {
    RealKubeApiServer.Builder builder = RealKubeApiServer.builder().kwok(true).workDir(dir);
    AuditCounter.apiServerFlags(dir, USER).forEach(builder::apiServerArg);
    return builder.start();
  }

  /** What one size measured. */
  record Result(int size, long createMillis, long readyMillis, long startMillis, Map<String, Long> startCalls,
      List<Map<String, Long>> passCalls, PassSummary lastPass, List<Long> cpuNanos, List<Long> wallNanos,
      long heapAfterPass, long detectorHeap, Duration idle, Map<String, Long> idleCalls, long idleEvaluations,
      long fullListMillis, long fullListBytes, Map<String, Double> controlPlaneCpuSeconds, String loadBefore,
      String loadAfter) {

    /** Whether no pass and not the idle window made any request. */
    boolean passesMadeNoRequest() {
      return passCalls.stream().allMatch(Map::isEmpty) && idleCalls.isEmpty();
    }

    void print(java.io.PrintStream out) {
      out.printf(Locale.ROOT, "load average before: %s%n", loadBefore);
      out.printf(Locale.ROOT, "%,d Nodes created in %,d ms; all Ready (kwok) after %,d ms%n", size, createMillis, readyMillis);
      out.printf(Locale.ROOT, "detector start (informers list + watch, cache synced): %,d ms, requests %s%n", startMillis, startCalls);
      out.printf(Locale.ROOT, "NodeCondition passes: %d; requests per pass %s; last pass: %s%n",
          passCalls.size(), passCalls, describe(lastPass));
      out.printf(Locale.ROOT, "  detector-thread CPU per pass: median %.1f ms (min %.1f, max %.1f); wall median %.1f ms%n",
          millis(median(cpuNanos)), millis(min(cpuNanos)), millis(max(cpuNanos)), millis(median(wallNanos)));
      out.printf(Locale.ROOT, "  heap used after a pass (after GC): %,d MiB; the detector's share (vs before start): %,d MiB%n",
          heapAfterPass >> 20, detectorHeap >> 20);
      out.printf(Locale.ROOT, "steady state, %d s without passes: requests %s; Node watch events evaluated %d%n",
          idle.toSeconds(), idleCalls, idleEvaluations);
      out.printf(Locale.ROOT, "one full LIST of the Nodes (admin, for comparison; the Go service makes two per pass): %,d ms, %,d KiB%n",
          fullListMillis, fullListBytes >> 10);
      out.printf(Locale.ROOT, "control-plane CPU from the detector's start to the end of the idle window: %s%n",
          controlPlaneCpuSeconds);
      out.printf(Locale.ROOT, "load average after: %s%n", loadAfter);
    }

    String summary() {
      return String.format(Locale.ROOT,
          "%,6d kwok nodes | start: %s in %,d ms | per pass: requests %s, CPU %.1f ms, wall %.1f ms | idle %d s: %s"
              + " | heap %,d MiB (detector %,d MiB) | full Node LIST %,d ms, %,d KiB | load %s -> %s",
          size, startCalls, startMillis, passCalls.get(passCalls.size() - 1), millis(median(cpuNanos)),
          millis(median(wallNanos)), idle.toSeconds(), idleCalls, heapAfterPass >> 20, detectorHeap >> 20,
          fullListMillis, fullListBytes >> 10, loadBefore, loadAfter);
    }
  }

  /**
   * Creates {@code size} kwok Nodes on {@code kube} (started by {@link #startControlPlane}), runs a
   * detector over them and measures it.
   */
  static Result measure(RealKubeApiServer kube, Path dir, int size, int passes, Duration idle) throws Exception {
    String loadBefore = loadAverage();
    KubernetesClient admin = kube.adminClient();
    long created = System.nanoTime();
    KwokNodes.create(admin, size);
    long createMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created);
    KwokNodes.awaitReady(admin, size, Duration.ofMinutes(15));
    long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created);
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName("autohealer-bench-detector").endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("cluster-admin").endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withNamespace(NAMESPACE).withName(SERVICE_ACCOUNT).endSubject()
        .build()).create(); // a fresh control plane per size

    AuditCounter audit = AuditCounter.following(dir);
    long heapBefore = heapAfterGc();
    Map<String, Double> cpuBefore = controlPlaneCpu();
    try (KubernetesClient client = kube.serviceAccountClient(NAMESPACE, SERVICE_ACCOUNT)) {
      audit.take(); // the token request and the ServiceAccount are the admin's; nothing of the detector yet
      DetectorBenchmark.MovableClock clock = new DetectorBenchmark.MovableClock();
      AtomicLong evaluations = new AtomicLong();
      AutoHealerConfig config = ConfigLoader.builder().environment(k -> null).build().read(CONFIG, "bench");
      HealthChecks checks = HealthCheckRegistry.load().build(config.healthCheck());
      HealthReporter reporter = new HealthReporter(report -> {}); // built every pass, sent nowhere
      Detector detector = new Detector(config, checks, client, new RepairStarter(null), clock,
          (node, verdict, decision) -> evaluations.incrementAndGet(), reporter);
      try {
        long started = System.nanoTime();
        detector.start();
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        awaitQuiet(evaluations);
        detector.passNow().get(); // warm-up
        Map<String, Long> startCalls = audit.take();

        List<Map<String, Long>> passCalls = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        List<Long> wall = new ArrayList<>();
        PassSummary last = null;
        for (int i = 0; i < passes; i++) {
          clock.advance(Duration.ofMinutes(1));
          last = detector.passNow().get();
          cpu.add(last.cpuNanos());
          wall.add(last.wallTime().toNanos());
          passCalls.add(audit.take());
        }
        long heapAfterPass = heapAfterGc();

        long evaluationsBefore = evaluations.get();
        audit.take();
        Thread.sleep(idle.toMillis()); // steady state: kwok renews Leases, the detector only watches
        Map<String, Long> idleCalls = audit.take();
        long idleEvaluations = evaluations.get() - evaluationsBefore;
        Map<String, Double> cpuAfter = controlPlaneCpu();

        long listed = System.nanoTime();
        String all = admin.raw("/api/v1/nodes");
        long fullListMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - listed);
        long fullListBytes = all == null ? 0 : all.getBytes(StandardCharsets.UTF_8).length;

        Map<String, Double> cpuSpent = new java.util.TreeMap<>();
        cpuAfter.forEach((process, seconds) -> cpuSpent.put(process,
            Math.round((seconds - cpuBefore.getOrDefault(process, 0.0)) * 10) / 10.0));
        return new Result(size, createMillis, readyMillis, startMillis, startCalls, passCalls, last, cpu, wall,
            heapAfterPass, heapAfterPass - heapBefore, idle, idleCalls, idleEvaluations, fullListMillis, fullListBytes,
            cpuSpent, loadBefore, loadAverage());
      } finally {
        detector.close();
        reporter.close();
      }
    }
  }

  private static final String CONFIG = """
      cluster-name: bench
      dry-run: true
      monitor-interval: 1h
      check-delay-after-add: 0s
      leader-elect: false
      metrics-port: 0
      healthcheck:
        master:
          - type: NodeCondition
            params: {unhealthy-duration: 5m}
        worker:
          - type: NodeCondition
            params: {unhealthy-duration: 5m}
      """;

  /** Waits until the detector has evaluated nothing for a second (the informer's initial events). */
  private static void awaitQuiet(AtomicLong evaluations) throws InterruptedException {
    long last = -1;
    while (evaluations.get() != last) {
      last = evaluations.get();
      Thread.sleep(1_000);
    }
  }

  /** CPU seconds so far of this JVM's kube-apiserver, etcd and kwok children. */
  private static Map<String, Double> controlPlaneCpu() {
    Map<String, Double> cpu = new java.util.TreeMap<>();
    ProcessHandle.current().descendants().forEach(p -> p.info().command().ifPresent(command -> {
      String name = Path.of(command).getFileName().toString();
      if (List.of("kube-apiserver", "etcd", "kwok").contains(name)) {
        p.info().totalCpuDuration().ifPresent(d -> cpu.merge(name, d.toMillis() / 1000.0, Double::sum));
      }
    }));
    return cpu;
  }

  /** The first three fields of /proc/loadavg (what uptime prints), or "n/a". */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.join(" ", fields[0], fields[1], fields[2]);
    } catch (Exception e) {
      return "n/a";
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String describe(PassSummary s) {
    return s == null ? "none" : "%d nodes: %d healthy, %d pending, %d unhealthy, %d unknown, %d ignored"
        .formatted(s.nodes(), s.healthy(), s.pending(), s.unhealthy(), s.unknown(), s.ignored());
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static long median(List<Long> values) {
    return values.isEmpty() ? 0 : values.stream().sorted().toList().get(values.size() / 2);
  }

  private static long min(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).min().orElse(0);
  }

  private static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(0);
  }
}
