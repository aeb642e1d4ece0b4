package io.autohealer.worker;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.ConfigLoader;
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

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkerMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    AutoHealerConfig cfg;
    RepairWorker worker;
    try {
      cfg = ConfigLoader.load(config);
      worker = RepairWorker.start(cfg, testServer);
    } catch (ConfigException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    int port = metricsPort != null ? metricsPort : cfg.metricsPort();
    HealthServer health;
    try {
      health = port <= 0 ? null
          : HealthServer.start(port, worker::isRunning, () -> worker.temporalAnswers(READY_CHECK_TIMEOUT));
    } catch (UncheckedIOException e) {
      System.err.println("error: " + e.getMessage());
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
