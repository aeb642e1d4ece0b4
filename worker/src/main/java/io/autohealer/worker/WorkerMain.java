package io.autohealer.worker;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The worker process: hosts RepairNodeWorkflow, ClusterHealthWorkflow and their activities on the
 * cluster's task queue (see {@link RepairWorker}).
 * It holds the Kubernetes and OpenStack credentials; nothing it is given over Temporal does.
 */
@Command(name = "autohealer-worker", mixinStandardHelpOptions = true,
    description = "Runs node repairs for one Magnum cluster (Temporal worker).")
public final class WorkerMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);
  private static final Duration READY_CHECK_TIMEOUT = Duration.ofSeconds(2);

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "config.yaml in the format of the Go magnum-auto-healer.")
  Path config;

  @Option(names = "--test-server",
      description = "Disable sticky task queues. Only for Temporal's Java test server, which never "
          + "moves a workflow off a dead worker's sticky queue.")
  boolean testServer;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Port of the health endpoints /healthz and /readyz (0: none). "
          + "Default: the config's metrics-port (9464).")
  Integer metricsPort;

  private final PrintWriter err;

  private WorkerMain(PrintWriter err) {
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the worker in this JVM until it is stopped and returns the exit code instead of exiting:
   * 0 after a shutdown, 1 when it cannot run, 2 for a bad command line or config (one {@code error:
   * ...} line on {@code err}). Tests use it to check start-up errors in-process.
   */
  public static int run(PrintWriter err, String... args) {
    return new CommandLine(new WorkerMain(err)).setErr(err).execute(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    AutoHealerConfig cfg;
    RepairWorker worker;
    try {
      cfg = ConfigLoader.load(config);
      worker = RepairWorker.start(cfg, testServer);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    } catch (TemporalUnreachableException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
    int port = metricsPort != null ? metricsPort : cfg.metricsPort();
    HealthServer health;
    try {
      health = port <= 0 ? null
          : HealthServer.start(port, worker::isRunning, () -> worker.temporalAnswers(READY_CHECK_TIMEOUT));
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      worker.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping: finishing running activity attempts for up to 30s");
      if (health != null) {
        health.close();
      }
      worker.close();
      stopped.countDown();
    }, "worker-shutdown"));
    stopped.await();
    return 0;
  }
}
