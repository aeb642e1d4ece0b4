package io.autohealer.simulator.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedWorkloadsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  /** 200 times real time: pods start in 50 ms, volumes detach 150 ms after their pod left. */
  private static final SimTiming FAST = new SimTiming(200);

  private KubernetesSimulator simulator;
  private KubernetesClient client;
  private CloudWorld world;
  private SimulatedKubelets kubelets;
  private SimulatedWorkloads workloads;
  private NodeAwaiter nodes;

  @BeforeEach
  void setUp() throws Exception {
    simulator = KubernetesSimulator.start(0);
    client = simulator.client();
    world = new CloudWorld(FAST);
    world.add(server("0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10", "k8s-master-0", "master", "10.0.0.10"));
    world.add(server("1c6b4072-7d63-4e7c-8b62-7e2f4d1f5b21", "k8s-node-0", "worker", "10.0.0.11"));
    world.add(server("2d7c5183-8e74-4f8d-9c73-8f3a5e206c32", "k8s-node-1", "worker", "10.0.0.12"));
    world.add(server("3e8d6294-9f85-4a9e-8d84-9a4b6f317d43", "k8s-node-2", "worker", "10.0.0.13"));
    kubelets = new SimulatedKubelets(world, client).start();
    simulator.kubeletsRunning(kubelets::running);
    nodes = new NodeAwaiter(client);
    nodes.awaitReady(4, TIMEOUT);
    workloads = new SimulatedWorkloads(simulator, FAST, SimulatedWorkloads.Options.defaults()).start();
  }

  @AfterEach
  void tearDown() {
    workloads.close();
    nodes.close();
    kubelets.close();
    simulator.close();
  }

  @Test
  void workloadsSpreadOverTheWorkersWithTheirBudgetVolumesDaemonAndMirrorPods() throws Exception {
    List<Pod> pods = workloads.awaitSettled(TIMEOUT);

    List<Pod> web = of(pods, "apps", "web");
    assertEquals(4, web.size());
    assertEquals(Set.of("k8s-node-0", "k8s-node-1", "k8s-node-2"), nodesOf(web), "spread over the workers only");
    assertEquals("ReplicaSet", controller(web.get(0)).getKind());
    assertEquals(1, client.policy().v1().podDisruptionBudget().inNamespace("apps").withName("web").get()
        .getSpec().getMaxUnavailable().getIntVal());

    List<Pod> db = of(pods, "apps", "db");
    assertEquals(List.of("db-0", "db-1"), db.stream().map(p -> p.getMetadata().getName()).sorted().toList());
    Map<String, String> attached = attachments();
    for (Pod pod : db) {
      int ordinal = Integer.parseInt(pod.getMetadata().getName().substring(3));
      assertEquals(pod.getSpec().getNodeName(), attached.get(SimulatedWorkloads.volumeHandle(ordinal)));
    }

    List<Pod> daemons = of(pods, "kube-system", "csi-cinder-nodeplugin");
    assertEquals(Set.of("k8s-master-0", "k8s-node-0", "k8s-node-1", "k8s-node-2"), nodesOf(daemons));
    assertEquals("DaemonSet", controller(daemons.get(0)).getKind());

    Pod mirror = client.pods().inNamespace("kube-system").withName("kube-apiserver-k8s-master-0").get();
    assertNotNull(mirror.getMetadata().getAnnotations().get("kubernetes.io/config.mirror"));
    assertEquals("Node", controller(mirror).getKind());
  }

  @Test
  void podsOfAStoppedServerStayUntilEvictedAndDeletedThenMoveAndTheirVolumeDetaches() throws Exception {
    workloads.awaitSettled(TIMEOUT);
    String node = client.pods().inNamespace("apps").withName("db-0").get().getSpec().getNodeName();
    SimServer server = world.serverByName(node).orElseThrow();

    world.update(server.id(), s -> s.withStatus(ServerStatus.SHUTOFF));
    nodes.awaitReadyStatus(node, "Unknown", TIMEOUT);
    awaitPods("the pods of " + node + " NotReady", pods -> onNode(pods, node).stream()
        .allMatch(p -> !SimulatedWorkloads.isReady(p)));
    List<Pod> stranded = onNode(client.pods().inAnyNamespace().list().getItems(), node);
    assertTrue(stranded.stream().anyMatch(p -> p.getMetadata().getName().equals("db-0")), "still there: " + stranded);

    assertTrue(client.pods().inNamespace("apps").withName("db-0").evict());
    assertNotNull(client.pods().inNamespace("apps").withName("db-0").get().getMetadata().getDeletionTimestamp(),
        "terminating: no kubelet ends it");
    assertEquals(node, attachments().get(SimulatedWorkloads.volumeHandle(0)), "still attached while the pod is there");

    client.pods().inNamespace("apps").withName("db-0").withGracePeriod(0).delete();

    awaitPods("db-0 Ready elsewhere", pods -> pods.stream().anyMatch(p -> p.getMetadata().getName().equals("db-0")
        && !node.equals(p.getSpec().getNodeName()) && SimulatedWorkloads.isReady(p)));
    awaitAttachments("db-0's volume detached from " + node + " and attached to its new node",
        a -> a.containsKey(SimulatedWorkloads.volumeHandle(0)) && !node.equals(a.get(SimulatedWorkloads.volumeHandle(0))));
  }

  @Test
  void aRebootedKubeletEndsItsTerminatingPodsAndTheGarbageCollectorThoseOfADeletedNode() throws Exception {
    workloads.awaitSettled(TIMEOUT);
    kubelets.breakNode("k8s-node-1", NodeFault.KUBELET_STOPPED);
    nodes.awaitReadyStatus("k8s-node-1", "Unknown", TIMEOUT);
    String daemon = "csi-cinder-nodeplugin-k8s-node-1";
    client.pods().inNamespace("kube-system").withName(daemon).delete();
    assertNotNull(client.pods().inNamespace("kube-system").withName(daemon).get().getMetadata().getDeletionTimestamp());

    kubelets.breakNode("k8s-node-1", NodeFault.NONE);
    awaitPods("the daemon pod back, not terminating", pods -> pods.stream().anyMatch(p ->
        p.getMetadata().getName().equals(daemon) && p.getMetadata().getDeletionTimestamp() == null));

    client.nodes().withName("k8s-node-2").delete();
    world.remove(world.serverByName("k8s-node-2").orElseThrow().id());
    awaitPods("no pod left on k8s-node-2", pods -> onNode(pods, "k8s-node-2").isEmpty());
    awaitPods("web at full strength again", pods -> of(pods, "apps", "web").stream().filter(SimulatedWorkloads::isReady).count() == 4);
  }

  private void awaitPods(String description, Predicate<List<Pod>> condition) throws Exception {
    workloads.awaitPods(description, condition, TIMEOUT);
  }

  private void awaitAttachments(String description, Predicate<Map<String, String>> condition) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.test(attachments())) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(description + ": " + attachments());
      }
      Thread.sleep(20);
    }
  }

  /** Volume handle to node, from the VolumeAttachments. */
  private Map<String, String> attachments() {
    Map<String, String> handles = client.persistentVolumes().list().getItems().stream()
        .collect(Collectors.toMap(pv -> pv.getMetadata().getName(), pv -> pv.getSpec().getCsi().getVolumeHandle()));
    return client.storage().v1().volumeAttachments().list().getItems().stream()
        .collect(Collectors.toMap(a -> handles.get(a.getSpec().getSource().getPersistentVolumeName()),
            VolumeAttachment::getSpec, (a, b) -> a))
        .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getNodeName()));
  }

  private static List<Pod> of(List<Pod> pods, String namespace, String app) {
    return pods.stream().filter(p -> namespace.equals(p.getMetadata().getNamespace())
        && app.equals(p.getMetadata().getLabels().get("app"))).toList();
  }

  private static List<Pod> onNode(List<Pod> pods, String node) {
    return pods.stream().filter(p -> node.equals(p.getSpec().getNodeName())).toList();
  }

  private static Set<String> nodesOf(List<Pod> pods) {
    return pods.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet());
  }

  private static OwnerReference controller(Pod pod) {
    return pod.getMetadata().getOwnerReferences().stream().filter(o -> Boolean.TRUE.equals(o.getController()))
        .findFirst().orElseThrow();
  }

  private static SimServer server(String id, String name, String role, String ip) {
    return new SimServer(id, name, role, "default-" + role, ip, ServerStatus.ACTIVE, NodeFault.NONE);
  }
}
