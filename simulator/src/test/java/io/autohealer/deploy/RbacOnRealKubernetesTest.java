package io.autohealer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.autohealer.simulator.realkube.RealKubernetes;
import io.autohealer.worker.kubernetes.KubernetesActivitiesImpl;
import io.autohealer.worker.kubernetes.NodeLabels;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AnnotateNode;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.CountMasters;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.DrainResult;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.RecordEvent;
import io.autohealer.workflows.activities.KubernetesActivities.Uncordon;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/base's RBAC enforced by a real kube-apiserver: the worker's activities run under the
 * worker's ServiceAccount token and every call they make is allowed; calls outside the roles are
 * refused with 403.
 */
@RealKubernetes
class RbacOnRealKubernetesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final String APPS = "apps";

  @TempDir static Path scratch;
  private static volatile boolean applied;

  private static synchronized void applyOnce(RealKubeApiServer kube) {
    if (!applied) {
      List<HasMetadata> objects = DeployRbac.apply(kube, scratch);
      System.out.println("[real-kubernetes] applied from deploy/base: " + objects.stream()
          .map(o -> o.getKind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
              + o.getMetadata().getName()).toList());
      KubernetesClient admin = kube.adminClient();
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(APPS).endMetadata().build())
          .create();
      admin.secrets().inNamespace(APPS).resource(new SecretBuilder().withNewMetadata().withName("db").endMetadata()
          .addToStringData("password", "s3cret").build()).create();
      applied = true;
    }
  }

  @Test
  void theWorkersActivitiesRunUnderItsServiceAccount(RealKubeApiServer kube) throws Exception {
    applyOnce(kube);
    KubernetesClient admin = kube.adminClient();
    String node = "kwok-rbac-w1";
    admin.nodes().resource(kwokNode(node, Map.of(NodeLabels.MAGNUM_NODEGROUP, "default-worker"))).create();
    admin.nodes().resource(kwokNode("kwok-rbac-m1", Map.of(NodeLabels.CONTROL_PLANE, ""))).create();
    admin.nodes().resource(kwokNode("kwok-rbac-gone", Map.of())).create();
    admin.pods().inNamespace(APPS).resource(new PodBuilder()
        .withNewMetadata().withName("web-1").addToLabels("app", "web").endMetadata()
        .withNewSpec().withNodeName(node)
        .addNewContainer().withName("app").withImage("registry.example/web:1").endContainer().endSpec()
        .build()).create();
    admin.nodes().withName(node).waitUntilCondition(n -> n != null && ready(n), WAIT.toSeconds(), TimeUnit.SECONDS);

    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try (KubernetesClient worker = kube.serviceAccountClient(DeployRbac.NAMESPACE, DeployRbac.WORKER)) {
      env.registerActivitiesImplementations(new KubernetesActivitiesImpl(worker));
      KubernetesActivities a = env.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(60))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build());

      assertTrue(a.inspectNode(new InspectNode(node)).exists());
      assertTrue(a.awaitNodeReady(new AwaitNodeReady(node, null, WAIT, POLL)).ready());
      assertTrue(a.cordon(new Cordon(node)).changed());
      assertTrue(admin.nodes().withName(node).get().getSpec().getUnschedulable());
      DrainResult drain = a.drainNode(new Drain(node, WAIT, POLL));
      assertEquals(List.of(APPS + "/web-1"), drain.evicted(), drain.toString());
      assertFalse(drain.timedOut(), drain.toString());
      assertNull(admin.pods().inNamespace(APPS).withName("web-1").get());
      assertEquals(1, a.countMasters(new CountMasters()).total());
      assertTrue(a.annotateNode(new AnnotateNode(node, Map.of(KubernetesActivities.REPAIR_FAILED, "rbac test")))
          .changed());
      assertEquals("rbac test",
          admin.nodes().withName(node).get().getMetadata().getAnnotations().get(KubernetesActivities.REPAIR_FAILED));
      assertTrue(a.recordEvent(new RecordEvent(node, "Normal", "RbacTest", "recorded under the worker's SA"))
          .recorded());
      List<Event> events = admin.v1().events().inNamespace("default").list().getItems().stream()
          .filter(e -> "RbacTest".equals(e.getReason())).toList();
      assertEquals(1, events.size(), events.toString());
      assertTrue(a.uncordon(new Uncordon(node)).changed());
      assertNull(admin.nodes().withName(node).get().getSpec().getUnschedulable());
      assertTrue(a.deleteNode(new DeleteNode("kwok-rbac-gone")).deleted());
      assertNull(admin.nodes().withName("kwok-rbac-gone").get());
    } finally {
      env.close();
    }
  }

  @Test
  void callsOutsideTheRolesAreForbidden(RealKubeApiServer kube) throws Exception {
    applyOnce(kube);
    KubernetesClient admin = kube.adminClient();
    String node = "kwok-rbac-w2";
    admin.nodes().resource(kwokNode(node, Map.of())).create();
    admin.pods().inNamespace(APPS).resource(new PodBuilder()
        .withNewMetadata().withName("api-1").endMetadata()
        .withNewSpec().withNodeName(node)
        .addNewContainer().withName("app").withImage("registry.example/api:1").endContainer().endSpec()
        .build()).create();

    try (KubernetesClient detector = kube.serviceAccountClient(DeployRbac.NAMESPACE, DeployRbac.DETECTOR);
        KubernetesClient worker = kube.serviceAccountClient(DeployRbac.NAMESPACE, DeployRbac.WORKER)) {
      // What the detector may do: list and watch Nodes.
      assertFalse(detector.nodes().list().getItems().isEmpty());
      try (Watch watch = detector.nodes().watch(new Watcher<Node>() {
        @Override
        public void eventReceived(Action action, Node resource) {}

        @Override
        public void onClose(WatcherException cause) {}
      })) {
        assertNotNull(watch);
      }

      // The detector deletes or evicts no pod, in any namespace.
      forbidden("detector deletes a pod", () -> detector.pods().inNamespace(APPS).withName("api-1").delete());
      forbidden("detector evicts a pod", () -> detector.pods().inNamespace(APPS).withName("api-1").evict());
      // Nor writes Nodes.
      forbidden("detector deletes a node", () -> detector.nodes().withName(node).delete());
      // Secrets: neither process may read them, in its own namespace or any other.
      for (KubernetesClient client : List.of(detector, worker)) {
        for (String ns : List.of(APPS, DeployRbac.NAMESPACE, "kube-system")) {
          forbidden("list secrets in " + ns, () -> client.secrets().inNamespace(ns).list());
        }
        forbidden("get a secret", () -> client.secrets().inNamespace(APPS).withName("db").get());
      }
      // The worker only evicts and deletes pods; it neither creates nor changes them, nor Leases.
      forbidden("worker creates a pod", () -> worker.pods().inNamespace(APPS).resource(new PodBuilder()
          .withNewMetadata().withName("intruder").endMetadata()
          .withNewSpec().withNodeName(node).addNewContainer().withName("x").withImage("x").endContainer().endSpec()
          .build()).create());
      forbidden("worker writes a Lease", () -> worker.leases().inNamespace("kube-system").withName("magnum-auto-healer")
          .delete());
      forbidden("worker creates an event outside default", () -> worker.v1().events().inNamespace(APPS)
          .resource(new io.fabric8.kubernetes.api.model.EventBuilder().withNewMetadata().withName("x.1").endMetadata()
              .withNewInvolvedObject().withKind("Node").withName(node).endInvolvedObject().withReason("X").build())
          .create());
      assertNotNull(admin.pods().inNamespace(APPS).withName("api-1").get(), "nothing deleted the pod");
    }
  }

  private static void forbidden(String what, Executable call) {
    KubernetesClientException e = assertThrows(KubernetesClientException.class, call, what + " was allowed");
    assertEquals(403, e.getCode(), what + ": " + e.getMessage());
  }

  private static boolean ready(Node n) {
    return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Node kwokNode(String name, Map<String, String> labels) {
    return new NodeBuilder()
        .withNewMetadata().withName(name).withLabels(labels)
        .addToAnnotations(RealKubeApiServer.KWOK_ANNOTATION, RealKubeApiServer.KWOK_ANNOTATION_VALUE)
        .endMetadata()
        .build();
  }
}
