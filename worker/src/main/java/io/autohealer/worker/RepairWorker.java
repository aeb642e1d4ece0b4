package io.autohealer.worker;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.KubernetesClients;
import io.autohealer.config.OpenStackSettings;
import io.autohealer.config.TemporalClients;
import io.autohealer.worker.kubernetes.KubernetesActivitiesImpl;
import io.autohealer.worker.openstack.CloudActivitiesImpl;
import io.autohealer.worker.openstack.CredentialsFromConfig;
import io.autohealer.worker.openstack.HealthReportActivitiesImpl;
import io.autohealer.worker.openstack.OpenStackSession;
import io.autohealer.workflows.ClusterHealthWorkflowImpl;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflowImpl;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Temporal worker for one cluster: RepairNodeWorkflow, ClusterHealthWorkflow (Magnum
 * health reporting) and their activities on the cluster's task queue, with the Kubernetes and OpenStack clients built from the config.
 */
public final class RepairWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RepairWorker.class);

  private final TemporalClients.Connection temporal;
  private final KubernetesClient kubernetes;
  private final WorkerFactory factory;

  private RepairWorker(TemporalClients.Connection temporal, KubernetesClient kubernetes, WorkerFactory factory) {
    this.temporal = temporal;
    this.kubernetes = kubernetes;
    this.factory = factory;
  }

  /**
   * @param testServer disable sticky task queues: only for Temporal's Java test server, which never
   *     moves a workflow off a dead worker's sticky queue
   * @throws ConfigException when the OpenStack settings cannot make credentials
   */
  public static RepairWorker start(AutoHealerConfig config, boolean testServer) {
    OpenStackSettings os = config.openstack();
    if (os.caFile() != null || os.caFileContents() != null || os.tlsInsecure()) {
      log.warn("openstack.ca-file, cafilecontents and tls-insecure are not applied yet: the OpenStack APIs'"
          + " certificates are checked against the JVM's trust store (docs/deploy.md)");
    }
    OpenStackSession openstack = new OpenStackSession(CredentialsFromConfig.from(config.openstack()));
    String taskQueue = RepairIds.taskQueue(config.clusterName());
    KubernetesClient kubernetes = KubernetesClients.create(config.kubernetes());
    TemporalClients.Connection temporal;
    try {
      temporal = TemporalClients.connect(config.temporal());
    } catch (RuntimeException e) {
      kubernetes.close(); // e.g. a TLS file that is not PEM: the caller reports it and exits
      throw e;
    }

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
    try {
      factory.start();
    } catch (RuntimeException e) {
      // No factory shutdown: it would ask the same unreachable server to release the pollers.
      temporal.close();
      kubernetes.close();
      throw new TemporalUnreachableException(config.temporal().address(), config.temporal().namespace(), e);
    }
    log.info("Worker for cluster {} polling task queue {} at {} (namespace {})",
        config.clusterName(), taskQueue, config.temporal().address(), config.temporal().namespace());
    return new RepairWorker(temporal, kubernetes, factory);
  }

  /** Whether the worker polls its task queue. */
  public boolean isRunning() {
    return factory.isStarted() && !factory.isShutdown();
  }

  /** Whether the Temporal frontend answers a cheap call within {@code timeout}; throws when not. */
  public boolean temporalAnswers(Duration timeout) {
    temporal.stubs().blockingStub()
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    return true;
  }

  /** Stops polling and lets running activity attempts finish, for up to 30 seconds. */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    temporal.close();
    kubernetes.close();
  }
}
