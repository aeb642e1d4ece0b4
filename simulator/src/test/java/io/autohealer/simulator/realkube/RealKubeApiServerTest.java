package io.autohealer.simulator.realkube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.kubernetes.NodeAwaiter;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fixture against the real thing: what fabric8's mock server cannot do (watch from a real
 * resourceVersion, the Eviction API refusing with 429 under a PodDisruptionBudget, RBAC), kwok
 * keeping fake nodes and pods alive, and the simulator's kubelets driving Nodes of a {@link
 * CloudWorld} on the real API server.
 */
@RealKubernetes
class RealKubeApiServerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** 100 times real time: boot 1.2 s, reboot 0.45 s, node-monitor grace 0.4 s. */
  private static final SimTiming FAST = new SimTiming(100);

  @Test
  void servesTheRealApiWithAKubeconfigAndAdminToken(RealKubeApiServer kube) throws Exception {
    KubernetesClient admin = kube.adminClient();
    assertEquals("1", admin.getKubernetesVersion().getMajor());
    assertEquals("v" + KubeTestbed.pinnedVersion(), admin.getKubernetesVersion().getGitVersion());
    String kubeconfig = Files.readString(kube.kubeconfig());
    assertTrue(kubeconfig.contains(kube.masterUrl()), kubeconfig);
    assertTrue(kubeconfig.contains("certificate-authority-data"), kubeconfig);
    // The default namespaces exist, as in any cluster.
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      assertNotNull(admin.namespaces().withName(ns).get(), ns);
    }
  }

  @Test
  void kwokKeepsAFakeNodeAndItsPodReadyAndWatchSeesIt(RealKubeApiServer kube) throws Exception {
    KubernetesClient admin = kube.adminClient();
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    try (Watch watch = admin.pods().inNamespace("default").withLabel("test", "watch")
        .watch(new Watcher<Pod>() {
          @Override
          public void eventReceived(Action action, Pod pod) {
            events.add(action + " " + pod.getMetadata().getName() + " " + pod.getStatus().getPhase());
          }

          @Override
          public void onClose(WatcherException cause) {
            events.add("CLOSED " + cause);
          }
        })) {
      admin.nodes().resource(kwokNode("kwok-watch-0")).create();
      admin.pods().inNamespace("default").resource(pod("watched", "kwok-watch-0", Map.of("test", "watch")))
          .create();

      Node node = admin.nodes().withName("kwok-watch-0")
          .waitUntilCondition(NodeConditions::isReady, WAIT.toSeconds(), TimeUnit.SECONDS);
      assertTrue(NodeConditions.isReady(node));
      Pod pod = admin.pods().inNamespace("default").withName("watched")
          .waitUntilCondition(p -> p != null && "Running".equals(p.getStatus().getPhase()),
              WAIT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(pod.getStatus().getPodIP());

      assertEquals("ADDED watched Pending", events.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
      String event;
      do {
        event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(event, "no MODIFIED event with phase Running");
      } while (!event.equals("MODIFIED watched Running"));
    }
  }

  @Test
  void fieldSelectorsFilterOnTheServer(RealKubeApiServer kube) throws Exception {
    KubernetesClient admin = kube.adminClient();
    admin.pods().inNamespace("default").resource(pod("on-a", "node-a", Map.of())).create();
    admin.pods().inNamespace("default").resource(pod("on-b", "node-b", Map.of())).create();
    List<Pod> onA = admin.pods().inNamespace("default").withField("spec.nodeName", "node-a").list().getItems();
    assertEquals(List.of("on-a"), onA.stream().map(p -> p.getMetadata().getName()).toList());
  }

  @Test
  void evictionIsRefusedWith429WhileAPodDisruptionBudgetBlocksIt(RealKubeApiServer kube) throws Exception {
    KubernetesClient admin = kube.adminClient();
    String ns = "drain";
    admin.namespaces().resource(namespace(ns)).create();
    admin.nodes().resource(kwokNode("kwok-drain-0")).create();
    admin.pods().inNamespace(ns).resource(pod("web-0", "kwok-drain-0", Map.of("app", "web"))).create();
    admin.pods().inNamespace(ns).withName("web-0").waitUntilCondition(
        p -> p != null && "Running".equals(p.getStatus().getPhase()), WAIT.toSeconds(), TimeUnit.SECONDS);
    PodDisruptionBudget pdb = admin.policy().v1().podDisruptionBudget().inNamespace(ns).resource(
        new PodDisruptionBudgetBuilder()
            .withNewMetadata().withName("web").withNamespace(ns).endMetadata()
            .withNewSpec().withNewMinAvailable(1).withNewSelector().addToMatchLabels("app", "web")
            .endSelector().endSpec()
            .build()).create();

    // fabric8 retries a 429 with exponential backoff up to requestRetryBackoffLimit times (default
    // 10; about 19 s here) before evict() returns false; this client does not retry.
    try (KubernetesClient noRetry = new KubernetesClientBuilder().withConfig(
        new ConfigBuilder(kube.adminConfig()).withRequestRetryBackoffLimit(0).build()).build()) {
      // No disruption controller has computed the budget yet: refused (429).
      long started = System.nanoTime();
      assertFalse(noRetry.pods().inNamespace(ns).withName("web-0").evict(), "evicted before the budget was computed");
      long refusedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(refusedMillis < 5_000, "refusal took " + refusedMillis + " ms");

      // As the disruption controller would write it for one healthy pod and minAvailable 1.
      setBudgetStatus(admin, pdb, 0);
      HttpResponse<String> refused = postEviction(noRetry, kube, ns, "web-0");
      assertEquals(429, refused.code(), refused.body());
      assertTrue(refused.body().contains("Cannot evict pod as it would violate the pod's disruption budget"),
          refused.body());
      assertTrue(refused.body().contains("\"reason\":\"TooManyRequests\""), refused.body());
      System.out.println("[real-kubernetes] eviction refused: " + refused.body());
      assertNotNull(admin.pods().inNamespace(ns).withName("web-0").get());

      // The budget allows one disruption now: the eviction is accepted and kwok lets the pod go.
      setBudgetStatus(admin, pdb, 1);
      assertTrue(noRetry.pods().inNamespace(ns).withName("web-0").evict());
      admin.pods().inNamespace(ns).withName("web-0").waitUntilCondition(p -> p == null, WAIT.toSeconds(),
          TimeUnit.SECONDS);
    }
  }

  @Test
  void aServiceAccountWithoutRolesIsForbiddenToListSecrets(RealKubeApiServer kube) throws Exception {
    KubernetesClient admin = kube.adminClient();
    String ns = "rbac";
    try (KubernetesClient nobody = kube.serviceAccountClient(ns, "nobody")) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> nobody.secrets().inNamespace(ns).list());
      assertEquals(403, e.getCode());
      assertTrue(e.getMessage().contains("system:serviceaccount:rbac:nobody"), e.getMessage());
    }

    // A Role that allows reading pods allows exactly that.
    admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder()
        .withNewMetadata().withName("pod-reader").withNamespace(ns).endMetadata()
        .addNewRule().withApiGroups("").withResources("pods").withVerbs("get", "list", "watch").endRule()
        .build()).create();
    admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder()
        .withNewMetadata().withName("reader").withNamespace(ns).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("pod-reader")
        .endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName("reader").withNamespace(ns).endSubject()
        .build()).create();
    try (KubernetesClient reader = kube.serviceAccountClient(ns, "reader")) {
      assertNotNull(reader.pods().inNamespace(ns).list());
      assertEquals(403, assertThrows(KubernetesClientException.class,
          () -> reader.secrets().inNamespace(ns).list()).getCode());
      assertEquals(403, assertThrows(KubernetesClientException.class,
          () -> reader.pods().inNamespace(ns).withName("any").delete()).getCode());
    }
  }

  @Test
  void simulatedKubeletsDriveNodesOfTheWorldOnTheRealApiServer(RealKubeApiServer kube) throws Exception {
    KubernetesClient admin = kube.adminClient();
    CloudWorld world = new CloudWorld(FAST);
    SimServer running = new SimServer("0e3f7a61-2b4c-4d5e-8f60-7a8b9c0d1e21", "k8s-sim-node-0", "worker",
        "default-worker", "10.0.0.10", ServerStatus.ACTIVE, NodeFault.NONE);
    world.add(running);
    try (SimulatedKubelets kubelets = new SimulatedKubelets(world, admin);
        NodeAwaiter nodes = new NodeAwaiter(admin)) {
      kubelets.start();
      Node node = nodes.awaitReadyStatus("k8s-sim-node-0", "True", WAIT);
      assertEquals("openstack:///" + running.id(), node.getSpec().getProviderID());
      assertEquals("default-worker", node.getMetadata().getLabels().get("magnum.openstack.org/nodegroup"));

      // A new server registers its Node after booting.
      SimServer booting = new SimServer("1f4a8b72-3c5d-4e6f-9a71-8b9cad1e2f32", "k8s-sim-node-1", "worker",
          "default-worker", "10.0.0.11", ServerStatus.BUILD, NodeFault.NONE);
      world.add(booting);
      assertNull(admin.nodes().withName("k8s-sim-node-1").get());
      world.update(booting.id(), s -> s.withStatus(ServerStatus.ACTIVE));
      nodes.awaitReadyStatus("k8s-sim-node-1", "True", WAIT);

      // A stopped server's Node turns Unknown after the grace period; the real apiserver keeps it.
      world.update(running.id(), s -> s.withStatus(ServerStatus.SHUTOFF));
      Node stopped = nodes.awaitReadyStatus("k8s-sim-node-0", "Unknown", WAIT);
      assertEquals(4, stopped.getStatus().getConditions().size(), "conditions replaced, not appended");
      assertEquals("NodeStatusUnknown", NodeConditions.condition(stopped, "Ready").orElseThrow().getReason());

      // Started again, it is Ready again.
      world.update(running.id(), s -> s.withStatus(ServerStatus.ACTIVE));
      nodes.awaitReadyStatus("k8s-sim-node-0", "True", WAIT);
    }
  }

  // -----------------------------------------------------------------------------------------------

  /** A Node that kwok manages: it turns Ready, keeps a Lease, and runs the pods bound to it. */
  private static Node kwokNode(String name) {
    return new NodeBuilder()
        .withNewMetadata().withName(name)
        .addToAnnotations(RealKubeApiServer.KWOK_ANNOTATION, RealKubeApiServer.KWOK_ANNOTATION_VALUE)
        .addToLabels("type", "kwok")
        .endMetadata()
        .build();
  }

  private static Pod pod(String name, String nodeName, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withNodeName(nodeName)
        .addNewContainer().withName("app").withImage("registry.example/app:1").endContainer()
        .endSpec()
        .build();
  }

  private static Namespace namespace(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  /** POST pods/eviction by hand, to see the status code and the apiserver's message. */
  private static HttpResponse<String> postEviction(
      KubernetesClient client, RealKubeApiServer kube, String ns, String pod) throws Exception {
    String body = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + pod
        + "\",\"namespace\":\"" + ns + "\"}}";
    HttpClient http = client.getHttpClient();
    return http.sendAsync(http.newHttpRequestBuilder()
        .uri(kube.masterUrl() + "/api/v1/namespaces/" + ns + "/pods/" + pod + "/eviction")
        .post("application/json", body)
        .build(), String.class).get(30, TimeUnit.SECONDS);
  }

  /** Writes the status the disruption controller (kube-controller-manager, not run here) would. */
  private static void setBudgetStatus(KubernetesClient admin, PodDisruptionBudget pdb, int disruptionsAllowed) {
    PodDisruptionBudget current = admin.policy().v1().podDisruptionBudget()
        .inNamespace(pdb.getMetadata().getNamespace()).withName(pdb.getMetadata().getName()).get();
    current.setStatus(new PodDisruptionBudgetStatusBuilder()
        .withObservedGeneration(current.getMetadata().getGeneration())
        .withCurrentHealthy(1)
        .withDesiredHealthy(1 - disruptionsAllowed)
        .withExpectedPods(1)
        .withDisruptionsAllowed(disruptionsAllowed)
        .build());
    admin.policy().v1().podDisruptionBudget().inNamespace(pdb.getMetadata().getNamespace())
        .resource(current).updateStatus();
  }
}
