package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.deploy.DeployRbac;
import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.autohealer.simulator.realkube.RealKubernetes;
import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairSearchAttributes;
import io.autohealer.workflows.RepairStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two detectors, each under the detector's ServiceAccount and the RBAC of deploy/base, campaign for
 * the real Lease kube-system/magnum-auto-healer on kube-apiserver: exactly one leads and starts the
 * repair of an unhealthy node; when it stops (released lease) or dies (lease left to expire) the
 * standby takes over within the lease duration, finds the repair running in Temporal, and starts
 * none again.
 */
@RealKubernetes
class LeaderElectionOnRealKubernetesTest {
  private static final String CLUSTER = "5d3e0c8a-7b41-4f6e-9c2d-1a0b3c4d5e6f";
  private static final String SERVER_ID = "8f0c3ad9-caf5-45b6-bf3a-97b3bb6de623";
  private static final String SICK = "k8s-le-node-sick";
  private static final Duration LEASE = Duration.ofSeconds(6);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CONFIG = """
      cluster-name: %s
      monitor-interval: 1h
      check-delay-after-add: 0s
      leader-elect: true
      leader-election:
        lease-duration: 6s
        renew-deadline: 4s
        retry-period: 1s
      healthcheck:
        master:
          - type: NodeCondition
            params: {unhealthy-duration: 1m}
        worker:
          - type: NodeCondition
            params: {unhealthy-duration: 1m}
      repair:
        poll-interval: 1s
      """.formatted(CLUSTER);

  @TempDir static Path scratch;

  /** Each repair run the stand-in workflow code started. */
  static final BlockingQueue<String> RUNS = new LinkedBlockingQueue<>();

  /** A stand-in repair that records its run and then waits (for ever, in this test). */
  public static class RecordingRepair implements RepairNodeWorkflow {
    @Override
    public RepairResult repair(RepairRequest request) {
      if (!Workflow.isReplaying()) {
        RUNS.add(Workflow.getInfo().getWorkflowId() + " " + Workflow.getInfo().getRunId());
      }
      Workflow.await(() -> false);
      return new RepairResult(RepairOutcome.RECOVERED, "never", List.of(), Duration.ZERO);
    }

    @Override
    public void pause(OperatorRequest request) {}

    @Override
    public void resume(OperatorRequest request) {}

    @Override
    public void approve(OperatorRequest request) {}

    @Override
    public void cancel(OperatorRequest request) {}

    @Override
    public RepairStatus status() {
      return new RepairStatus(null, null, RepairPhase.VERIFYING, null, false, false, List.of(), null);
    }
  }

  /** One detector replica as DetectorMain runs it: its own client, Detector and LeaderElection. */
  private final class Replica implements AutoCloseable {
    final String identity;
    final KubernetesClient client;
    final Detector detector;
    final List<String> decisions = new CopyOnWriteArrayList<>();
    volatile boolean leading;
    volatile long ledAt;
    LeaderElection election;

    Replica(RealKubeApiServer kube, String identity, WorkflowClient temporal) {
      this.identity = identity;
      this.client = kube.serviceAccountClient(DeployRbac.NAMESPACE, DeployRbac.DETECTOR);
      AutoHealerConfig config = ConfigLoader.builder().environment(k -> null).build().read(CONFIG, "test");
      this.detector = new Detector(config, HealthCheckRegistry.load().build(config.healthCheck()), client,
          new RepairStarter(temporal), Clock.systemUTC(),
          (node, verdict, decision) -> decisions.add(node + " " + decision));
      this.election = new LeaderElection(client, config.leaderElection(), identity, () -> {
        ledAt = System.nanoTime();
        leading = true;
        detector.start();
      }, () -> {
        leading = false;
        detector.close();
      });
    }

    /** As SIGTERM: the lease is released. */
    @Override
    public void close() {
      if (election != null) {
        election.close();
        election = null;
      }
      detector.close();
      client.close();
    }

    /** As a killed process: no release, no more renewals; the lease is left to expire. */
    void kill() {
      client.close(); // every further call of this replica fails
      if (election != null) {
        election.close();
        election = null;
      }
      detector.close();
    }
  }

  @Test
  void oneDetectorLeadsAndTheStandbyTakesOverWithoutASecondRepair(RealKubeApiServer kube) throws Exception {
    DeployRbac.apply(kube, scratch);
    KubernetesClient admin = kube.adminClient();
    // Three healthy kwok workers and one that has been NotReady for ten minutes.
    for (int i = 0; i < 3; i++) {
      admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("k8s-le-node-" + i)
          .addToAnnotations(RealKubeApiServer.KWOK_ANNOTATION, RealKubeApiServer.KWOK_ANNOTATION_VALUE)
          .addToLabels(NodeFacts.NODEGROUP_LABEL, "default-worker").endMetadata().build()).create();
    }
    admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(SICK)
        .addToLabels(NodeFacts.NODEGROUP_LABEL, "default-worker").endMetadata()
        .withNewSpec().withProviderID("openstack:///" + SERVER_ID).endSpec().build()).create();
    String since = Instant.now().minus(Duration.ofMinutes(10)).toString();
    admin.nodes().withName(SICK).editStatus(n -> new NodeBuilder(n).withStatus(new NodeStatusBuilder()
        .addNewCondition().withType("Ready").withStatus("False").withReason("KubeletNotReady")
        .withLastTransitionTime(since).withLastHeartbeatTime(since).endCondition()
        .addNewAddress().withType("InternalIP").withAddress("10.0.10.34").endAddress()
        .addNewAddress().withType("Hostname").withAddress(SICK).endAddress()
        .build()).build());
    for (int i = 0; i < 3; i++) {
      String name = "k8s-le-node-" + i;
      admin.nodes().withName(name).waitUntilCondition(
          n -> n != null && io.autohealer.worker.kubernetes.NodeConditions.isReady(n), WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.build());
    for (var key : RepairSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    env.newWorker(RepairIds.taskQueue(CLUSTER)).registerWorkflowImplementationTypes(RecordingRepair.class);
    env.start();
    WorkflowClient temporal = WorkflowClient.newInstance(env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace()).build());
    List<Replica> replicas = new ArrayList<>();
    try {
      Replica a = new Replica(kube, "detector-a", temporal);
      replicas.add(a);
      Replica b = new Replica(kube, "detector-b", temporal);
      replicas.add(b);

      await("one replica leads", () -> a.leading || b.leading);
      Replica leader = a.leading ? a : b;
      Replica standby = leader == a ? b : a;
      // The repair starts once, from the leader; the standby decides nothing.
      String run = RUNS.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(run, "no repair started");
      assertTrue(run.startsWith(RepairIds.workflowId(CLUSTER, SICK) + " "), run);
      Thread.sleep(LEASE.toMillis()); // a lease duration: renewals, and the standby keeps trying
      assertTrue(leader.leading, leader.identity + " lost its lease");
      assertFalse(standby.leading, "both lead");
      assertEquals(List.of(), standby.decisions, "the standby evaluated nodes");
      assertEquals(leader.identity, holder(admin));
      // What the detector did under its ServiceAccount: the repair start written on the node
      // (patch), and Events in "default" (create).
      Node sick = admin.nodes().withName(SICK).get();
      assertNotNull(sick.getMetadata().getAnnotations().get(RepairBudget.ANNOTATION), sick.getMetadata().toString());
      await("the detector's RepairStarted Event", () -> admin.v1().events().inNamespace("default").list().getItems()
          .stream().anyMatch(e -> "RepairStarted".equals(e.getReason())
              && SICK.equals(e.getInvolvedObject().getName())));

      // 1. The leader stops (SIGTERM): it releases the lease, the standby takes over at once.
      long stopped = System.nanoTime();
      leader.close();
      await("the standby leads", () -> standby.leading);
      long takeover = TimeUnit.NANOSECONDS.toMillis(standby.ledAt - stopped);
      System.out.printf("[real-kubernetes] leader %s stopped; %s led %d ms later (lease duration %d ms)%n",
          leader.identity, standby.identity, takeover, LEASE.toMillis());
      assertTrue(takeover < LEASE.toMillis(), "took " + takeover + " ms");
      await("the new leader sees the running repair",
          () -> standby.decisions.contains(SICK + " " + Decision.REPAIR_RUNNING));
      assertEquals(standby.identity, holder(admin));

      // 2. A new standby joins; the leader is killed: the lease expires, the standby takes over.
      Replica c = new Replica(kube, "detector-c", temporal);
      replicas.add(c);
      Thread.sleep(2_000);
      assertFalse(c.leading, "a second leader");
      long killed = System.nanoTime();
      standby.kill();
      await("the new standby leads", () -> c.leading);
      long expiry = TimeUnit.NANOSECONDS.toMillis(c.ledAt - killed);
      System.out.printf("[real-kubernetes] leader %s killed; %s led %d ms later (lease duration %d ms)%n",
          standby.identity, c.identity, expiry, LEASE.toMillis());
      // The lease must run out first (its last renewal was at most a retry period before the kill);
      // then the next retry (1 s, jittered up to 1.2 s) takes it. Slack for a loaded 2-core machine.
      assertTrue(expiry >= LEASE.toMillis() - 2_000, "took over before the lease expired: " + expiry + " ms");
      assertTrue(expiry <= LEASE.toMillis() + 4_000, "took " + expiry + " ms");
      await("the third leader sees the running repair",
          () -> c.decisions.contains(SICK + " " + Decision.REPAIR_RUNNING));

      // No repair started twice: one run in all, and one execution in Temporal.
      Thread.sleep(1_000);
      assertNull(RUNS.poll(), "a second repair run");
      assertEquals(run.substring(run.indexOf(' ') + 1),
          temporal.newUntypedWorkflowStub(RepairIds.workflowId(CLUSTER, SICK)).describe().getExecution().getRunId());
    } finally {
      for (Replica r : replicas) {
        try {
          r.close();
        } catch (RuntimeException e) {
          // already closed
        }
      }
      env.close();
    }
  }

  private static String holder(KubernetesClient admin) {
    Lease lease = admin.leases().inNamespace("kube-system").withName("magnum-auto-healer").get();
    return lease.getSpec().getHolderIdentity();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
