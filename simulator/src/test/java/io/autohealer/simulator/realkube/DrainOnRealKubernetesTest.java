package io.autohealer.simulator.realkube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.worker.kubernetes.KubernetesActivitiesImpl;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.DrainResult;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code drainNode} as the worker runs it, against kube-apiserver and kwok: the Eviction API
 * refuses a pod that a PodDisruptionBudget protects (429) and the drain keeps asking until the
 * budget allows it; DaemonSet and mirror pods are left alone. No disruption controller runs here,
 * so the test writes the budget's status as kube-controller-manager would.
 */
@RealKubernetes
class DrainOnRealKubernetesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "shop";
  private static final String NODE = "kwok-drain-pdb";

  @Test
  void aBudgetRefusesTheEvictionUntilItAllowsItAndDaemonSetAndMirrorPodsAreSkipped(RealKubeApiServer kube)
      throws Exception {
    KubernetesClient admin = kube.adminClient();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
        .addToAnnotations(RealKubeApiServer.KWOK_ANNOTATION, RealKubeApiServer.KWOK_ANNOTATION_VALUE)
        .endMetadata().build()).create();

    // Real owner objects (nothing reconciles them here: no kube-controller-manager).
    ReplicaSet rs = admin.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName("web-6d4cf56db6").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.example/web:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    DaemonSet ds = admin.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder()
        .withNewMetadata().withName("node-agent").endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
        .withNewSpec().addNewContainer().withName("agent").withImage("registry.example/agent:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();

    createPod(admin, pod("web-6d4cf56db6-x7k2p", Map.of("app", "web"),
        owner("apps/v1", "ReplicaSet", rs.getMetadata().getName(), rs.getMetadata().getUid()), Map.of()));
    createPod(admin, pod("node-agent-q9z8m", Map.of("app", "agent"),
        owner("apps/v1", "DaemonSet", ds.getMetadata().getName(), ds.getMetadata().getUid()), Map.of()));
    // A static pod's API copy, as a kubelet writes it: the mirror annotation, owned by the Node.
    String nodeUid = admin.nodes().withName(NODE).get().getMetadata().getUid();
    createPod(admin, pod("etcd-" + NODE, Map.of("component", "etcd"), owner("v1", "Node", NODE, nodeUid),
        Map.of("kubernetes.io/config.mirror", "b4b8a1f0c2d3e4f5a6b7c8d9e0f1a2b3")));

    PodDisruptionBudget pdb = admin.policy().v1().podDisruptionBudget().inNamespace(NS).resource(
        new PodDisruptionBudgetBuilder()
            .withNewMetadata().withName("web").endMetadata()
            .withNewSpec().withNewMinAvailable(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
            .endSpec().build()).create();
    setBudgetStatus(admin, pdb, 0);

    List<String> heartbeats = new CopyOnWriteArrayList<>();
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.setActivityHeartbeatListener(String.class, heartbeats::add);
      env.registerActivitiesImplementations(new KubernetesActivitiesImpl(admin));
      KubernetesActivities activities = env.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(90))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build());

      long started = System.nanoTime();
      CompletableFuture<DrainResult> drain = CompletableFuture.supplyAsync(
          () -> activities.drainNode(new Drain(NODE, Duration.ofSeconds(60), Duration.ofMillis(200))));

      // The budget refuses: the drain says so in its heartbeat and keeps the pod.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (heartbeats.stream().noneMatch(h -> h.contains("refused: " + NS + "/web-6d4cf56db6-x7k2p (disruption budget)"))) {
        assertFalse(drain.isDone(), () -> "the drain ended while the budget refused: " + drain.join());
        assertTrue(System.nanoTime() < deadline, "no refusal in the heartbeats: " + heartbeats);
        Thread.sleep(50);
      }
      // A few more polls (every 200 ms; Temporal throttles the heartbeats themselves), all refused.
      Thread.sleep(1_000);
      assertFalse(drain.isDone());
      assertNotNull(admin.pods().inNamespace(NS).withName("web-6d4cf56db6-x7k2p").get());
      System.out.println("[real-kubernetes] drain refused by the budget, heartbeat: " + heartbeats.get(heartbeats.size() - 1));

      // The budget allows one disruption now (a replacement became Ready elsewhere).
      long allowed = System.nanoTime();
      setBudgetStatus(admin, pdb, 1);
      DrainResult result = drain.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      long done = System.nanoTime();
      System.out.printf("[real-kubernetes] drain: %s; %d ms in all, %d ms from the budget allowing it%n", result,
          TimeUnit.NANOSECONDS.toMillis(done - started), TimeUnit.NANOSECONDS.toMillis(done - allowed));

      assertEquals(List.of(NS + "/web-6d4cf56db6-x7k2p"), result.evicted(), result.toString());
      assertEquals(List.of(NS + "/etcd-" + NODE, NS + "/node-agent-q9z8m"), result.skipped(), result.toString());
      assertEquals(List.of(), result.remaining(), result.toString());
      assertFalse(result.timedOut());
      // Evicted for real: gone (kwok ends a pod with a deletionTimestamp); the skipped ones stay.
      assertEquals(null, admin.pods().inNamespace(NS).withName("web-6d4cf56db6-x7k2p").get());
      assertNotNull(admin.pods().inNamespace(NS).withName("node-agent-q9z8m").get());
      assertNotNull(admin.pods().inNamespace(NS).withName("etcd-" + NODE).get());
      // The apiserver counted the disruption in the budget's status.
      PodDisruptionBudget after = admin.policy().v1().podDisruptionBudget().inNamespace(NS).withName("web").get();
      assertEquals(0, after.getStatus().getDisruptionsAllowed());
    } finally {
      env.close();
    }
  }

  private static void createPod(KubernetesClient admin, Pod pod) {
    admin.pods().inNamespace(NS).resource(pod).create();
    admin.pods().inNamespace(NS).withName(pod.getMetadata().getName()).waitUntilCondition(
        p -> p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase()),
        WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Pod pod(String name, Map<String, String> labels, OwnerReference owner, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).withAnnotations(annotations)
        .withOwnerReferences(owner).endMetadata()
        .withNewSpec().withNodeName(NODE)
        .addNewContainer().withName("app").withImage("registry.example/app:1").endContainer()
        .endSpec()
        .build();
  }

  private static OwnerReference owner(String apiVersion, String kind, String name, String uid) {
    return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid)
        .withController(true).build();
  }

  /** Writes the status that the disruption controller (kube-controller-manager, not run here) would. */
  static void setBudgetStatus(KubernetesClient admin, PodDisruptionBudget pdb, int disruptionsAllowed) {
    PodDisruptionBudget current = admin.policy().v1().podDisruptionBudget()
        .inNamespace(pdb.getMetadata().getNamespace()).withName(pdb.getMetadata().getName()).get();
    current.setStatus(new PodDisruptionBudgetStatusBuilder()
        .withObservedGeneration(current.getMetadata().getGeneration())
        .withCurrentHealthy(1)
        .withDesiredHealthy(1)
        .withExpectedPods(1 + disruptionsAllowed)
        .withDisruptionsAllowed(disruptionsAllowed)
        .build());
    admin.policy().v1().podDisruptionBudget().inNamespace(pdb.getMetadata().getNamespace())
        .resource(current).updateStatus();
  }
}
