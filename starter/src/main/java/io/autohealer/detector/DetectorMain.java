package io.autohealer.detector;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.ConfigLoader;
import io.autohealer.config.KubernetesClients;
import io.autohealer.config.TemporalClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The detector process. Exit codes: 0 after SIGTERM, 1 when it cannot run (Kubernetes unreachable,
 * leadership lost, metrics port taken), 2 for an invalid command line or config (one {@code error:
 * ...} line). Serves {@code /metrics}, {@code /healthz} and {@code /readyz} on {@code metrics-port}
 * (see {@link MetricsServer}) from start-up, also while it is a standby.
 */
@Command(
    name = "autohealer-detector",
    description = "Watches the Nodes of a Magnum cluster and starts a Temporal repair for each unhealthy one.",
    sortOptions = false)
public final class DetectorMain implements Callable<Integer> {
  private static final long SHUTDOWN_GRACE_MILLIS = 15_000;

  // Not a static field: main() picks the logging config before the first logger exists.
  private final Logger log = LoggerFactory.getLogger(DetectorMain.class);

  @Option(names = "--config", required = true, paramLabel = "<path>",
      description = "config.yaml in the format of the Go magnum-auto-healer, plus temporal: and repair: sections")
  private Path config;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  private final PrintWriter err;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicInteger exitCode = new AtomicInteger();
  private volatile boolean stopping;
  private volatile boolean finished;
  private volatile boolean leading;
  private final AtomicReference<Detector> detectorRef = new AtomicReference<>();
  private volatile int metricsPort = -1;

  DetectorMain(PrintWriter err) {
    this.err = err;
  }

  public static void main(String[] args) {
    DetectorMain main = new DetectorMain(new PrintWriter(System.err, true));
    Thread mainThread = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> main.shutDown(mainThread), "shutdown"));
    int code = main.execute(args);
    main.finished = true;
    if (!main.stopping) {
      System.exit(code);
    }
    // Stopped by a signal: the JVM is already exiting, and System.exit would block the hook.
  }

  /**
   * Runs the detector in this JVM until it stops and returns the exit code instead of exiting (no
   * signal handling; {@link #main} adds it). Tests use it to check start-up errors in-process.
   */
  public static int run(PrintWriter err, String... args) {
    return new DetectorMain(err).execute(args);
  }

  int execute(String... args) {
    return new CommandLine(this).setErr(err).execute(args);
  }

  @Override
  public Integer call() {
    AutoHealerConfig settings;
    HealthChecks checks;
    try {
      HealthCheckRegistry registry = HealthCheckRegistry.load();
      settings = ConfigLoader.builder().healthCheckTypes(registry.types()).build().read(config);
      checks = registry.build(settings.healthCheck());
    } catch (ConfigException e) {
      return configError(e);
    }

    log.info("cluster {}: Temporal {} namespace {}", settings.clusterName(), settings.temporal().address(),
        settings.temporal().namespace());
    MeterRegistry registry =
        settings.metricsPort() > 0 ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : new SimpleMeterRegistry();
    registry.config().commonTags("cluster", settings.clusterName());
    DetectorMetrics metrics = new DetectorMetrics(registry);
    boolean leaderElect = settings.leaderElect();
    try (TemporalClients.Connection temporal = TemporalClients.connect(settings.temporal());
        KubernetesClient kubernetes = KubernetesClients.create(settings.kubernetes());
        HealthReporter reporter =
            new HealthReporter(new ClusterHealthSignaller(temporal.client(), settings.clusterName()));
        MetricsServer server = serve(settings.metricsPort(), registry, leaderElect);
        Detector detector =
            new Detector(settings, checks, kubernetes, new RepairStarter(temporal.client()), Clock.systemUTC(),
                DetectorListener.NONE, metrics, reporter)) {
      detectorRef.set(detector);
      if (leaderElect) {
        try (LeaderElection election =
            new LeaderElection(kubernetes, settings.leaderElection(), LeaderElection.identity(), () -> lead(detector),
                this::leadershipEnded)) {
          stop.await();
        }
      } else {
        detector.start();
        stop.await();
      }
    } catch (ConfigException e) {
      return configError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("the detector cannot run: {}", e.getMessage());
      log.debug("the detector cannot run", e);
      return 1;
    }
    log.info("detector stopped");
    return exitCode.get();
  }

  /** The HTTP endpoint, or null when {@code metrics-port} is 0. */
  private MetricsServer serve(int port, MeterRegistry registry, boolean leaderElect) {
    if (port == 0) {
      return null;
    }
    MetricsServer server = new MetricsServer(port, (PrometheusMeterRegistry) registry, () -> notReady(leaderElect));
    metricsPort = server.port();
    log.info("serving /metrics, /healthz and /readyz on port {}", server.port());
    return server;
  }

  /** Why the process is not ready, or null: a standby is ready, the leader once its detector is. */
  private String notReady(boolean leaderElect) {
    if (leaderElect && !leading) {
      return null;
    }
    Detector detector = detectorRef.get();
    return detector != null && detector.ready() ? null : "the Node informer is not synced and watching";
  }

  /** The bound metrics port once serving, else -1 (tests). */
  int metricsPort() {
    return metricsPort;
  }

  private int configError(ConfigException e) {
    err.println("error: " + e.getMessage());
    err.flush();
    return 2;
  }

  private void lead(Detector detector) {
    log.info("leading: starting the detector");
    leading = true;
    try {
      detector.start();
    } catch (RuntimeException e) {
      log.error("the detector cannot run: {}", e.getMessage());
      log.debug("the detector cannot run", e);
      fail();
    }
  }

  private void leadershipEnded() {
    if (!stopping) {
      // As in Go: a replica that lost its lease exits, and its pod restarts to campaign afresh.
      log.error("leadership lost; exiting");
      fail();
    }
  }

  private void fail() {
    exitCode.compareAndSet(0, 1);
    stop.countDown();
  }

  /** Stops a running {@link #call()}, as SIGTERM does. */
  void stop() {
    stopping = true;
    log.info("stopping");
    stop.countDown();
  }

  private void shutDown(Thread mainThread) {
    if (finished) {
      return; // main() is exiting on its own
    }
    stop();
    try {
      mainThread.join(SHUTDOWN_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
