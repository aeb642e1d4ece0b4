package io.autohealer.simulator.sandbox;

import io.autohealer.config.GoDuration;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.InvariantsBreachedException;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.RepairResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/sandbox}: see {@link Sandbox}. Exits 0 only when every broken node was repaired. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = "Runs Temporal (embedded, or the dev server with --real-temporal), a simulated Magnum cluster, a worker and a detector; breaks workers and "
        + "shows their repairs.")
public final class SandboxMain implements Callable<Integer> {

  @Option(names = "--temporal-port", defaultValue = "7233",
      description = "gRPC port of the Temporal server, 0 for any free port (default: ${DEFAULT-VALUE}).")
  int temporalPort;

  @Option(names = "--real-temporal",
      description = "Run on the Temporal CLI's dev server (bin/tools/install-temporal-cli) instead of the "
          + "embedded test server: SQLite db in the work dir, every search attribute registered, the Web UI "
          + "with a link to each repair as it starts.")
  boolean realTemporal;

  @Option(names = "--ui-port", defaultValue = "8233",
      description = "With --real-temporal: port of the Web UI, 0 for any free port (default: ${DEFAULT-VALUE}).")
  int uiPort;

  @Option(names = "--speed", defaultValue = "20",
      description = "Simulated servers boot, stop and update this many times faster than real ones "
          + "(default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--masters", defaultValue = "3", description = "Masters (default: ${DEFAULT-VALUE}).")
  int masters;

  @Option(names = "--workers", defaultValue = "3", description = "Workers (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--break-workers", defaultValue = "1",
      description = "How many workers break (default: ${DEFAULT-VALUE}).")
  int brokenWorkers;

  @Option(names = "--break-masters", defaultValue = "0",
      description = "How many masters break; one is rebuilt at a time, never losing etcd's quorum "
          + "(default: ${DEFAULT-VALUE}).")
  int brokenMasters;

  @Option(names = "--reboot-does-not-help",
      description = "Break nodes so that a soft reboot does not heal them: the repair escalates to a rebuild.")
  boolean rebootDoesNotHelp;

  @Option(names = "--require-approval",
      description = "Each repair waits for an operator: bin/autohealer repairs approve <node>.")
  boolean requireApproval;

  @Option(names = "--unhealthy-duration", defaultValue = "10s",
      converter = DurationConverter.class,
      description = "NodeCondition unhealthy-duration (default: ${DEFAULT-VALUE}).")
  Duration unhealthyDuration;

  @Option(names = "--timeout", defaultValue = "150s", converter = DurationConverter.class,
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--work-dir", description = "Where config.yaml and the logs go (default: a new temp dir).")
  Path workDir;

  public static void main(String[] args) {
    // The simulator's own logs would drown the progress lines; set before the first logger.
    if (System.getProperty("LOG_LEVEL") == null && System.getenv("LOG_LEVEL") == null) {
      System.setProperty("LOG_LEVEL", "WARN");
    }
    System.exit(new CommandLine(new SandboxMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (brokenWorkers < 0 || brokenWorkers > workers) {
      return usage("--break-workers must be between 0 and --workers (%d), got %d".formatted(workers, brokenWorkers));
    }
    if (brokenMasters < 0 || brokenMasters > masters) {
      return usage("--break-masters must be between 0 and --masters (%d), got %d".formatted(masters, brokenMasters));
    }
    if (brokenWorkers + brokenMasters == 0) {
      return usage("nothing to break: set --break-workers or --break-masters");
    }
    Path dir = workDir != null ? workDir : Files.createTempDirectory("autohealer-sandbox-");
    Sandbox.Options options = new Sandbox.Options(temporalPort, new Simulator.Options("k8s", masters, workers, speed),
        brokenWorkers, brokenMasters, rebootDoesNotHelp ? NodeFault.BROKEN_UNTIL_REPLACED : NodeFault.KUBELET_STOPPED,
        requireApproval, unhealthyDuration, timeout, dir);
    if (realTemporal) {
      options = options.withRealTemporal(uiPort);
    }
    Sandbox.Report report;
    try {
      report = new Sandbox(options, System.out).run();
    } catch (InvariantsBreachedException breached) {
      System.out.println();
      System.out.println(breached.getMessage());
      return 1;
    }

    System.out.println();
    for (String node : report.broken()) {
      RepairResult result = report.results().get(node);
      System.out.printf("%-20s %-10s %6s  %s%n", node,
          result == null ? "UNFINISHED" : result.outcome(),
          result == null ? "-" : "%.1fs".formatted(result.duration().toMillis() / 1000.0),
          result == null ? "no result before the timeout" : result.message());
    }
    System.out.printf("%d of %d nodes Ready after %.1fs: %s%n", report.readyNodes(), report.expectedNodes(),
        report.took().toMillis() / 1000.0, report.success() ? "repaired" : "NOT repaired");
    return report.success() ? 0 : 1;
  }

  private static int usage(String message) {
    System.err.println("error: " + message);
    return 2;
  }

  /** Go-style durations: 90s, 2m, 1m30s. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return GoDuration.parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (expected e.g. 90s, 2m, 1m30s)"));
    }
  }
}
