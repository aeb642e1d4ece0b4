package io.autohealer.bench;

import ch.qos.logback.classic.Level;
import io.autohealer.simulator.sandbox.EmbeddedTemporal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark command ({@code bin/bench}): for each cluster size, the detector's numbers
 * ({@link DetectorBenchmark}: API calls, CPU and heap per pass, an Endpoint pass with silent nodes,
 * and the repair-start latency on the embedded Temporal server); then, once, the heap of one worker
 * with many repairs in flight ({@link WorkerHeapBenchmark}) and the orchestration overhead per
 * repair ({@link RepairOverheadBenchmark}). Prints every measure and a summary against its target.
 * A benchmark, not a test: it asserts nothing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measures the detector and the worker on the simulator and prints each measure against its target.")
public final class Bench implements Callable<Integer> {

  @Option(names = "--sizes", split = ",", defaultValue = "100,1000,5000",
      description = "Cluster sizes, nodes (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--skip-detector", description = "Skip the per-size detector measures.")
  boolean skipDetector;

  @Option(names = "--silent", defaultValue = "0.10",
      description = "Fraction of nodes whose endpoint never answers (default: ${DEFAULT-VALUE}).")
  double silent;

  @Option(names = "--broken", defaultValue = "20",
      description = "Nodes broken at once per size for the repair-start latency (default: ${DEFAULT-VALUE}).")
  int broken;

  @Option(names = "--unhealthy-duration", defaultValue = "5",
      description = "NodeCondition unhealthy-duration for the repair-start latency, seconds (default: ${DEFAULT-VALUE}).")
  int unhealthySeconds;

  @Option(names = "--probe-timeout", defaultValue = "5s", description = "Endpoint timeout (default: ${DEFAULT-VALUE}).")
  String probeTimeout;

  @Option(names = "--probe-concurrency", defaultValue = "16",
      description = "Endpoint concurrency (default: ${DEFAULT-VALUE}, the check's own default).")
  int probeConcurrency;

  @Option(names = "--in-flight", defaultValue = "1000",
      description = "Repairs in flight for the worker heap (default: ${DEFAULT-VALUE}; 0 skips it).")
  int inFlight;

  @Option(names = "--overhead-repairs", defaultValue = "10",
      description = "Reboot repairs for the orchestration overhead (default: ${DEFAULT-VALUE}; 0 skips it).")
  int overheadRepairs;

  @Option(names = "--overhead-speed", defaultValue = "1",
      description = "Simulator speed for the overhead (default: ${DEFAULT-VALUE}, real cloud timings).")
  double overheadSpeed;

  @Option(names = "--poll-interval", defaultValue = "10",
      description = "repair.poll-interval for the overhead, seconds (default: ${DEFAULT-VALUE}, the product's default).")
  int pollSeconds;

  @Option(names = "--overhead-drain", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Drain the workers in the overhead repairs (default: ${DEFAULT-VALUE}).")
  boolean overheadDrain;

  @Option(names = "--worker-jvm-options", defaultValue = "-Xmx1g -XX:+UseG1GC",
      description = "JVM options of the worker process (default: ${DEFAULT-VALUE}).")
  String workerJvmOptions;

  @Option(names = "--work-dir", defaultValue = "target/bench",
      description = "Where the worker's config and log go (default: ${DEFAULT-VALUE}).")
  Path workDir;

  public static void main(String[] args) {
    quietLogs();
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  static void quietLogs() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.autohealer")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.fabric8")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.temporal")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.grpc")).setLevel(Level.WARN);
  }

  @Override
  public Integer call() throws Exception {
    Runtime runtime = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "bench: Java %s, %d CPUs, max heap %d MiB, sizes %s, load average %s%n",
        System.getProperty("java.version"), runtime.availableProcessors(), runtime.maxMemory() >> 20, sizes,
        loadAverage());
    List<DetectorBenchmark.SizeResult> results = new ArrayList<>();
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      DetectorBenchmark detector = new DetectorBenchmark();
      new CommandLine(detector).parseArgs("--silent", Double.toString(silent), "--probe-timeout", probeTimeout,
          "--probe-concurrency", Integer.toString(probeConcurrency));
      detector.temporalTarget = temporal.target();
      detector.broken = broken;
      detector.latencyUnhealthyDuration = Duration.ofSeconds(unhealthySeconds);
      for (int size : skipDetector ? List.<Integer>of() : sizes) {
        results.add(detector.measure(size));
      }
    }
    List<String> jvm = List.of(workerJvmOptions.trim().split("\\s+"));
    WorkerHeapBenchmark.Result heap = inFlight > 0
        ? new WorkerHeapBenchmark(workDir.resolve("in-flight"), jvm).measure(inFlight) : null;
    RepairOverheadBenchmark.Result overhead = overheadRepairs > 0
        ? new RepairOverheadBenchmark(workDir.resolve("overhead"), jvm)
            .measure(overheadRepairs, overheadSpeed, Duration.ofSeconds(pollSeconds), overheadDrain) : null;
    printSummary(results, heap, overhead);
    return 0;
  }

  private void printSummary(List<DetectorBenchmark.SizeResult> results, WorkerHeapBenchmark.Result heap,
      RepairOverheadBenchmark.Result overhead) {
    long timeoutMillis = io.autohealer.config.GoDuration.parse(probeTimeout).orElseThrow().toMillis();
    System.out.println();
    System.out.printf(Locale.ROOT, "summary (load average now %s)%n", loadAverage());
    if (!results.isEmpty()) {
      System.out.println("| nodes | repair start after the duration, p50 / p99 (target <= 1 s) | LIST per pass (target 0)"
          + " | API calls per pass | detector CPU per pass, median (target < 50 ms at 5,000) | heap after a pass (detector's part)"
          + " | Endpoint pass, 10% silent (target <= timeout + 1 s) |");
      System.out.println("|---:|---|---|---|---|---|---|");
      for (DetectorBenchmark.SizeResult r : results) {
        List<Duration> starts = r.repairStarts();
        String start = starts.isEmpty() ? "n/a" : "%,d ms / %,d ms %s".formatted(
            RepairStartLatency.percentile(starts, 50).toMillis(), RepairStartLatency.percentile(starts, 99).toMillis(),
            verdict(RepairStartLatency.percentile(starts, 99).toMillis() <= 1000));
        System.out.printf(Locale.ROOT, "| %,d | %s | %d %s | %d | %.1f ms %s | %,d MiB (%,d MiB) | %,d ms %s |%n",
            r.size(), start, r.listsPerPass(), verdict(r.listsPerPass() == 0), r.callsPerPass(), r.cpuMillis(),
            verdict(r.cpuMillis() < 50), r.heapMiB(), r.detectorHeapMiB(), r.probePassMillis(),
            verdict(r.probePassMillis() <= timeoutMillis + 1000));
      }
      System.out.printf(Locale.ROOT, "Endpoint: timeout %s, concurrency %d%n", probeTimeout, probeConcurrency);
    }
    if (heap != null) {
      System.out.printf(Locale.ROOT, "worker heap with %,d repairs in flight: %,d MiB (no repair: %,d MiB) %s"
          + " (target < 256 MB); %s%n", heap.inFlight(), heap.heapMiB(), heap.baselineMiB(),
          verdict(heap.heapMiB() < 244), heap.detail());
    }
    if (overhead != null) {
      System.out.printf(Locale.ROOT, "orchestration overhead per repair: median %,d ms = %.1f%% of %,d ms (max %.1f%%)"
              + " %s (target < 2%%); simulated cloud time median %,d ms; %d reboot repairs, speed x%s, poll-interval %s%n",
          overhead.overheadMedian().toMillis(), overhead.overheadPercentMedian(), overhead.repairMedian().toMillis(),
          overhead.overheadPercentMax(), verdict(overhead.overheadPercentMedian() < 2),
          overhead.cloudMedian().toMillis(), overhead.repairs(), overhead.speed(), overhead.pollInterval());
      System.out.printf(Locale.ROOT, "  without the drain step (median %,d ms, a fixed 30 s wait for the pods of a dead kubelet):"
          + " %.1f%% %s%n", overhead.drainMedian().toMillis(), overhead.withoutDrainPercentMedian(),
          verdict(overhead.withoutDrainPercentMedian() < 2));
    }
  }

  private static String verdict(boolean met) {
    return met ? "(met)" : "(MISSED)";
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0] + " "
          + java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[1] + " "
          + java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
