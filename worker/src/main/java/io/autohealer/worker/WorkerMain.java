package io.autohealer.worker;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.ConfigLoader;
import io.autohealer.config.KubernetesClients;
import io.autohealer.config.TemporalClients;
import io.autohealer.workflows.ClusterHealthWorkflowImpl;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflowImpl;
import io.autohealer.worker.kubernetes.KubernetesActivitiesImpl;
import io.autohealer.worker.openstack.CloudActivitiesImpl;
import io.autohealer.worker.openstack.CredentialsFromConfig;
import io.autohealer.worker.openstack.HealthReportActivitiesImpl;
import io.autohealer.worker.openstack.OpenStackCredentials;
import io.autohealer.worker.openstack.OpenStackSession;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The worker process: hosts RepairNodeWorkflow, ClusterHealthWorkflow and their activities on the
 * cluster's task queue.
 * It holds the Kubernetes and OpenStack credentials; nothing it is given over Temporal does.
 */
@Command(name = "autohealer-worker", mixinStandardHelpOptions = true,
    description = "Runs node repairs for one Magnum cluster (Temporal worker).")
public final class WorkerMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "config.yaml in the format of the Go magnum-auto-healer.")
  Path config;

  @Option(names = "--test-server",
      description = "Disable sticky task queues. Only for Temporal's Java test server, which never "
          + "moves a workflow off a dead worker's sticky queue.")
  boolean testServer;

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkerMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    AutoHealerConfig cfg;
    OpenStackCredentials credentials;
    try {
      cfg = ConfigLoader.load(config);
      credentials = CredentialsFromConfig.from(cfg.openstack());
    } catch (ConfigException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    String taskQueue = RepairIds.taskQueue(cfg.clusterName());
    KubernetesClient kubernetes = KubernetesClients.create(cfg.kubernetes());
    OpenStackSession openstack = new OpenStackSession(credentials);
    TemporalClients.Connection temporal = TemporalClients.connect(cfg.temporal());

    WorkerFactory factory = WorkerFactory.newInstance(temporal.client());
    WorkerOptions.Builder options = WorkerOptions.newBuilder();
    if (testServer) {
      options.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    Worker worker = factory.newWorker(taskQueue, options.build());
    worker.registerWorkflowImplementationTypes(RepairNodeWorkflowImpl.class, ClusterHealthWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new KubernetesActivitiesImpl(kubernetes), new CloudActivitiesImpl(openstack),
        new HealthReportActivitiesImpl(openstack));

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping: finishing running activity attempts for up to 30s");
      factory.shutdown();
      factory.awaitTermination(30, TimeUnit.SECONDS);
      temporal.close();
      kubernetes.close();
      stopped.countDown();
    }, "worker-shutdown"));

    factory.start();
    log.info("Worker for cluster {} polling task queue {} at {} (namespace {})",
        cfg.clusterName(), taskQueue, cfg.temporal().address(), cfg.temporal().namespace());
    stopped.await();
    return 0;
  }
}
