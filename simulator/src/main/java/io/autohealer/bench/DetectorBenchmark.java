package io.autohealer.bench;

import ch.qos.logback.classic.Level;
import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.Detector;
import io.autohealer.detector.HealthCheck;
import io.autohealer.detector.HealthCheckRegistry;
import io.autohealer.detector.HealthChecks;
import io.autohealer.detector.HealthReporter;
import io.autohealer.detector.PassSummary;
import io.autohealer.detector.RepairStarter;
import io.autohealer.detector.checks.EndpointCheck;
import io.autohealer.detector.checks.ProbeStats;
import io.autohealer.simulator.kubernetes.ApiInterceptor;
import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A benchmark of the detector (not a test: it asserts nothing and prints numbers). For each cluster
 * size it registers the nodes through {@link SimulatedKubelets} on fabric8's mock API server
 * ({@link KubernetesSimulator}), starts a {@link Detector} on its own client, and measures:
 *
 * <ol>
 *   <li>NodeCondition passes: Kubernetes API calls per pass (counted by an interceptor; the
 *       informer's one LIST and WATCH at start-up are shown apart), the detector thread's CPU time
 *       per pass (ThreadMXBean) and the heap after a pass;
 *   <li>Endpoint passes (Endpoint and NodeCondition on masters and workers) with a fraction of the
 *       nodes accepting connections and never answering: how long until every probe has an answer
 *       (the silent ones only at their timeout), the pass itself, the probe threads' CPU, and the API
 *       calls (the annotation is patched once per node when failing begins, never again).
 * </ol>
 *
 * Run it with {@code bin/bench-detector}; it needs Linux (127/8 routed to loopback).
 */
@Command(name = "bench-detector", mixinStandardHelpOptions = true,
    description = "Benchmarks detector passes at several cluster sizes on the simulated Kubernetes API.")
public final class DetectorBenchmark implements Callable<Integer> {

  @Option(names = "--sizes", split = ",", defaultValue = "100,1000,5000",
      description = "Cluster sizes, nodes (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--passes", defaultValue = "5", description = "NodeCondition passes measured per size (default: ${DEFAULT-VALUE}).")
  int passes;

  @Option(names = "--silent", defaultValue = "0.10",
      description = "Fraction of nodes whose endpoint never answers (default: ${DEFAULT-VALUE}).")
  double silentFraction;

  @Option(names = "--probe-timeout", defaultValue = "5s", description = "Endpoint param timeout (default: ${DEFAULT-VALUE}).")
  String probeTimeout;

  @Option(names = "--probe-concurrency", defaultValue = "16",
      description = "Endpoint param concurrency (default: ${DEFAULT-VALUE}).")
  int probeConcurrency;

  @Option(names = "--endpoint-passes", defaultValue = "1",
      description = "Endpoint passes per size after the first wave at start-up (default: ${DEFAULT-VALUE}).")
  int endpointPasses;

  @Option(names = "--speed", defaultValue = "20",
      description = "Speed of the simulated kubelets and node controller (default: ${DEFAULT-VALUE}).")
  double speed;

  /** Where repairs are started for the repair-start latency (step 3); none = step 3 is skipped. */
  String temporalTarget;
  /** Nodes broken at once for the repair-start latency. */
  int broken = 20;
  /** The NodeCondition unhealthy-duration for the repair-start latency. */
  Duration latencyUnhealthyDuration = Duration.ofSeconds(5);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final List<String> table = new ArrayList<>();

  /**
   * What one size measured.
   *
   * @param listsPerPass the most LIST calls seen in one steady-state NodeCondition pass
   * @param callsPerPass the most API calls of any kind in one steady-state NodeCondition pass
   * @param cpuMillis the detector thread's median CPU per NodeCondition pass
   * @param heapMiB heap used after a pass (after GC), the mock API server's store included
   * @param detectorHeapMiB the part of it that appeared when the detector started
   * @param probePassMillis the last Endpoint pass: from the pass to every probe answered
   * @param repairStarts per broken node, from its unhealthy-duration elapsing to its workflow's start
   *     (empty when step 3 was skipped)
   */
  record SizeResult(int size, long listsPerPass, long callsPerPass, double cpuMillis, long heapMiB,
      long detectorHeapMiB, long probePassMillis, List<Duration> repairStarts) {}

  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.autohealer")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.fabric8")).setLevel(Level.WARN);
    System.exit(new CommandLine(new DetectorBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Runtime runtime = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "detector benchmark: Java %s, %d CPUs, max heap %d MiB, sizes %s%n",
        System.getProperty("java.version"), runtime.availableProcessors(), runtime.maxMemory() >> 20, sizes);
    for (int size : sizes) {
      measure(size);
    }
    System.out.println();
    System.out.println("summary");
    table.forEach(System.out::println);
    return 0;
  }

  /** Counts the API requests of every client but the simulator's own (the kubelets). */
  static final class ApiCounter implements ApiInterceptor {
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    @Override
    public io.fabric8.mockwebserver.http.MockResponse intercept(RecordedRequest request) {
      if (!ApiInterceptor.fromSimulator(request)) {
        counts.computeIfAbsent(kind(request), k -> new AtomicLong()).incrementAndGet();
      }
      return null;
    }

    private static String kind(RecordedRequest request) {
      String method = request.method().name();
      String path = request.getPath();
      if (method.equals("GET")) {
        if (path.contains("watch=true")) {
          return "WATCH";
        }
        String bare = path.replaceFirst("\\?.*$", "");
        return bare.endsWith("/nodes") || bare.endsWith("/pods") ? "LIST" : "GET";
      }
      return method;
    }

    /** The counts since the last call, by kind; then starts again from zero. */
    Map<String, Long> take() {
      Map<String, Long> taken = new TreeMap<>();
      counts.forEach((kind, count) -> {
        long n = count.getAndSet(0);
        if (n > 0) {
          taken.put(kind, n);
        }
      });
      return taken;
    }
  }

  /** A clock the benchmark moves forward, so that probes fall due without waiting. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    void advance(Duration by) {
      offset.updateAndGet(o -> o.plus(by));
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  SizeResult measure(int size) throws Exception {
    System.out.println();
    System.out.printf(Locale.ROOT, "== %,d nodes (3 masters, %,d workers)%n", size, size - 3);
    int silentEvery = silentFraction <= 0 ? 0 : (int) Math.round(1 / silentFraction);
    Set<String> silent = new HashSet<>();
    CloudWorld world = new CloudWorld(new SimTiming(speed));
    for (int i = 0; i < size; i++) {
      boolean master = i < 3;
      String name = master ? "bench-master-" + i : "bench-node-" + (i - 3);
      String address = ProbeTargets.address(i);
      if (silentEvery > 0 && i % silentEvery == silentEvery - 1) {
        silent.add(address);
      }
      world.add(new SimServer(UUID.nameUUIDFromBytes(name.getBytes()).toString(), name, master ? "master" : "worker",
          master ? "default-master" : "default-worker", address, ServerStatus.ACTIVE, NodeFault.NONE));
    }

    long registrationStarted = System.nanoTime();
    try (KubernetesSimulator kubernetes = KubernetesSimulator.start(0);
        SimulatedKubelets kubelets = new SimulatedKubelets(world, kubernetes.client()).start();
        ProbeTargets targets = new ProbeTargets(silent)) {
      System.out.printf(Locale.ROOT, "nodes registered by the simulated kubelets in %,d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - registrationStarted));
      ApiCounter counter = new ApiCounter();
      kubernetes.addInterceptor(counter);
      long heapBefore = heapAfterGc();

      // 1. NodeCondition passes.
      PassSummary last;
      List<Long> cpu = new ArrayList<>();
      List<Long> wall = new ArrayList<>();
      List<String> calls = new ArrayList<>();
      long listsPerPass = 0;
      long callsPerPass = 0;
      long heapAfterPass;
      try (KubernetesClient client = client(kubernetes)) {
        MovableClock clock = new MovableClock();
        Built built = detector(client, clock, nodeConditionConfig());
        Detector detector = built.detector();
        long started = System.nanoTime();
        detector.start();
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf(Locale.ROOT, "detector start (informer LIST + WATCH, cache synced): %,d ms, API calls %s%n",
            startMillis, counter.take());
        awaitQuiet(built);
        detector.passNow().get(); // warm-up
        counter.take();
        last = null;
        for (int i = 0; i < passes; i++) {
          clock.advance(Duration.ofMinutes(1));
          last = detector.passNow().get();
          cpu.add(last.cpuNanos());
          wall.add(last.wallTime().toNanos());
          Map<String, Long> taken = counter.take();
          calls.add(taken.toString());
          listsPerPass = Math.max(listsPerPass, taken.getOrDefault("LIST", 0L));
          callsPerPass = Math.max(callsPerPass, taken.values().stream().mapToLong(Long::longValue).sum());
        }
        heapAfterPass = heapAfterGc();
        awaitQuiet(built);
        System.out.printf(Locale.ROOT, "NodeCondition passes: %d; API calls per pass %s; last pass: %s%n",
            passes, calls, describe(last));
        System.out.printf(Locale.ROOT, "  detector-thread CPU per pass: median %.1f ms (min %.1f, max %.1f); wall median %.1f ms%n",
            millis(median(cpu)), millis(min(cpu)), millis(max(cpu)), millis(median(wall)));
        System.out.printf(Locale.ROOT, "  heap used after a pass (after GC): %,d MiB; the detector's share (vs before start): %,d MiB%n",
            heapAfterPass >> 20, (heapAfterPass - heapBefore) >> 20);
        detector.close();
        built.reporter().close();
      }
      counter.take();

      // 2. Endpoint passes, a fraction of the nodes silent.
      String endpointLine;
      long probePassMillis = -1;
      try (KubernetesClient client = client(kubernetes)) {
        MovableClock clock = new MovableClock();
        Built built = detector(client, clock, endpointConfig(targets.port()));
        Detector detector = built.detector();
        List<EndpointCheck> checks = built.checks().all().stream()
            .filter(EndpointCheck.class::isInstance).map(EndpointCheck.class::cast).toList();
        StringBuilder line = new StringBuilder();
        // The informer's initial events evaluate every node once at start-up: the first wave of probes.
        long started = System.nanoTime();
        long probeCpuBefore = probeThreadsCpu();
        detector.start();
        awaitProbes(checks, size);
        long firstWave = System.nanoTime() - started;
        awaitQuiet(built);
        Map<String, Long> startCalls = counter.take();
        ProbeStats stats = sum(checks);
        System.out.printf(Locale.ROOT,
            "Endpoint first wave (detector start, informer LIST + initial events): every probe answered after %,d ms"
                + " (%,d ok, %,d silent until the %s timeout; probe threads' CPU %,d ms); API calls %s%n",
            TimeUnit.NANOSECONDS.toMillis(firstWave), stats.ok(), stats.timedOut(), probeTimeout,
            TimeUnit.NANOSECONDS.toMillis(probeThreadsCpu() - probeCpuBefore), startCalls);
        line.append(String.format(Locale.ROOT, "first wave %,d ms, annotation PATCHes %d",
            TimeUnit.NANOSECONDS.toMillis(firstWave), startCalls.getOrDefault("PATCH", 0L)));
        targets.dropHeld();
        for (int pass = 1; pass <= endpointPasses; pass++) {
          clock.advance(Duration.ofMinutes(31)); // past half the monitor-interval: every node is probed again
          long completedBefore = completed(checks);
          long okBefore = stats.ok();
          long timedOutBefore = stats.timedOut();
          probeCpuBefore = probeThreadsCpu();
          started = System.nanoTime();
          PassSummary summary = detector.passNow().get();
          awaitProbes(checks, completedBefore + size);
          long allAnswered = System.nanoTime();
          probePassMillis = TimeUnit.NANOSECONDS.toMillis(allAnswered - started);
          awaitQuiet(built);
          stats = sum(checks);
          Map<String, Long> apiCalls = counter.take();
          System.out.printf(Locale.ROOT,
              "Endpoint pass %d: the pass itself %.1f ms wall, %.1f ms detector-thread CPU (%s); every probe answered"
                  + " after %,d ms (%,d ok, %,d silent until the %s timeout; probe threads' CPU %,d ms); API calls %s%n",
              pass, millis(summary.wallTime().toNanos()), millis(summary.cpuNanos()), describe(summary),
              TimeUnit.NANOSECONDS.toMillis(allAnswered - started), stats.ok() - okBefore,
              stats.timedOut() - timedOutBefore, probeTimeout,
              TimeUnit.NANOSECONDS.toMillis(probeThreadsCpu() - probeCpuBefore), apiCalls);
          line.append(String.format(Locale.ROOT, "; pass %d: probes %,d ms, pass itself %.1f ms, PATCHes %d",
              pass, TimeUnit.NANOSECONDS.toMillis(allAnswered - started), millis(summary.wallTime().toNanos()),
              apiCalls.getOrDefault("PATCH", 0L)));
          targets.dropHeld();
        }
        endpointLine = line.toString();
        detector.close();
        built.reporter().close();
      }
      table.add(String.format(Locale.ROOT,
          "%,6d nodes | NodeCondition pass: API calls %s, CPU %.1f ms, heap %,d MiB (detector %,d MiB) | Endpoint (%d%% silent, timeout %s, concurrency %d): %s",
          size, calls.get(calls.size() - 1), millis(median(cpu)), heapAfterPass >> 20,
          (heapAfterPass - heapBefore) >> 20, Math.round(silentFraction * 100), probeTimeout, probeConcurrency,
          endpointLine));

      // 3. Repair-start latency: nodes break; their repairs start on the Temporal server.
      List<Duration> repairStarts = List.of();
      if (temporalTarget != null) {
        repairStarts = new RepairStartLatency(temporalTarget, "bench-" + size, latencyUnhealthyDuration)
            .measure(kubernetes, kubelets, world, Math.min(broken, size - 3), counter);
      }
      return new SizeResult(size, listsPerPass, callsPerPass, millis(median(cpu)), heapAfterPass >> 20,
          (heapAfterPass - heapBefore) >> 20, probePassMillis, repairStarts);
    }
  }

  record Built(Detector detector, HealthChecks checks, HealthReporter reporter, AtomicLong evaluations) {}

  /**
   * Waits until the detector has evaluated nothing for a second: fabric8's mock server replays
   * every Node to a new watch, and closing a watch while it still sends blocks the mock server.
   */
  static void awaitQuiet(Built built) throws InterruptedException {
    long last = -1;
    while (built.evaluations().get() != last) {
      last = built.evaluations().get();
      Thread.sleep(1_000);
    }
  }

  static Built detector(KubernetesClient client, Clock clock, String yaml) {
    return detector(client, clock, yaml, new RepairStarter(null));
  }

  static Built detector(KubernetesClient client, Clock clock, String yaml, RepairStarter starter) {
    return detector(client, clock, yaml, starter, io.autohealer.detector.DetectorListener.NONE);
  }

  /** @param also told of every evaluation too */
  static Built detector(KubernetesClient client, Clock clock, String yaml, RepairStarter starter,
      io.autohealer.detector.DetectorListener also) {
    AutoHealerConfig config = ConfigLoader.builder().environment(k -> null).build().read(yaml, "bench");
    HealthChecks checks = HealthCheckRegistry.load().build(config.healthCheck());
    HealthReporter reporter = new HealthReporter(report -> {}); // the report is built every pass; sent nowhere
    AtomicLong evaluations = new AtomicLong();
    Detector detector = new Detector(config, checks, client, starter, clock,
        (node, verdict, decision) -> {
          evaluations.incrementAndGet();
          also.evaluated(node, verdict, decision);
        }, reporter);
    return new Built(detector, checks, reporter, evaluations);
  }

  /** The detector's own client, as in production: not the simulator's. */
  static KubernetesClient client(KubernetesSimulator kubernetes) {
    return new KubernetesClientBuilder().withConfig(kubernetes.clientConfig()).build();
  }

  private static final String BASE = """
      cluster-name: bench
      dry-run: true
      monitor-interval: 1h
      check-delay-after-add: 0s
      leader-elect: false
      """;

  private static String nodeConditionConfig() {
    return BASE + """
        healthcheck:
          master:
            - type: NodeCondition
              params: {unhealthy-duration: 5m}
          worker:
            - type: NodeCondition
              params: {unhealthy-duration: 5m}
        """;
  }

  private String endpointConfig(int port) {
    String endpoint = "{protocol: http, port: %d, unhealthy-duration: 24h, timeout: %s, concurrency: %d}"
        .formatted(port, probeTimeout, probeConcurrency);
    return BASE + """
        healthcheck:
          master:
            - type: Endpoint
              params: %s
            - type: NodeCondition
          worker:
            - type: Endpoint
              params: %s
            - type: NodeCondition
        """.formatted(endpoint, endpoint);
  }

  private static void awaitProbes(List<EndpointCheck> checks, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (completed(checks) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("probes never completed: " + sum(checks));
      }
      Thread.sleep(5);
    }
  }

  private static long completed(List<EndpointCheck> checks) {
    return checks.stream().mapToLong(c -> c.stats().completed()).sum();
  }

  private static ProbeStats sum(List<EndpointCheck> checks) {
    long submitted = 0, completed = 0, ok = 0, failed = 0, timedOut = 0, cannot = 0;
    int running = 0, queued = 0;
    for (HealthCheck check : checks) {
      ProbeStats s = ((EndpointCheck) check).stats();
      submitted += s.submitted();
      completed += s.completed();
      ok += s.ok();
      failed += s.failed();
      timedOut += s.timedOut();
      cannot += s.cannotJudge();
      running += s.running();
      queued += s.queued();
    }
    return new ProbeStats(submitted, completed, ok, failed, timedOut, cannot, running, queued);
  }

  /** CPU time of the Endpoint probe threads (live ones) so far. */
  private static long probeThreadsCpu() {
    long total = 0;
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("endpoint-probe")) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu > 0) {
          total += cpu;
        }
      }
    }
    return total;
  }

  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String describe(PassSummary s) {
    return "%d nodes: %d healthy, %d pending, %d unhealthy, %d unknown, %d ignored"
        .formatted(s.nodes(), s.healthy(), s.pending(), s.unhealthy(), s.unknown(), s.ignored());
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static long min(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).min().orElse(0);
  }

  private static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(0);
  }
}
