package io.autohealer.simulator.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.worker.kubernetes.NodeLabels;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedKubeletsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** 200 times real time: boot 0.6 s, reboot 0.23 s, node-monitor grace 0.2 s. */
  private static final SimTiming FAST = new SimTiming(200);

  private KubernetesSimulator simulator;
  private CloudWorld world;
  private SimulatedKubelets kubelets;
  private NodeAwaiter nodes;
  private int servers;

  @BeforeEach
  void setUp() {
    simulator = KubernetesSimulator.start(0);
    world = new CloudWorld(FAST);
    kubelets = new SimulatedKubelets(world, simulator.client());
    nodes = new NodeAwaiter(simulator.client());
  }

  @AfterEach
  void tearDown() {
    nodes.close();
    kubelets.close();
    simulator.close();
  }

  @Test
  void runningServersRegisterAtStartAsMagnumNodes() throws Exception {
    world.add(server("0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10", "k8s-master-0", "master", "default-master"));
    world.add(server("1c6b4072-7d63-4e7c-8b62-7e2f4d1f5b21", "k8s-node-0", "worker", "default-worker"));
    world.add(server("2d7c5183-8e74-4f8d-9c73-8f3a5e206c32", "k8s-node-1", "worker", "default-worker"));

    kubelets.start();

    assertEquals(3, nodes.awaitReady(3, TIMEOUT).size());
    Node master = simulator.client().nodes().withName("k8s-master-0").get();
    Map<String, String> labels = master.getMetadata().getLabels();
    assertEquals("", labels.get(NodeLabels.MASTER));
    assertEquals("", labels.get(NodeLabels.CONTROL_PLANE));
    assertEquals("master", labels.get(NodeLabels.MAGNUM_ROLE));
    assertEquals("default-master", labels.get(NodeLabels.MAGNUM_NODEGROUP));
    assertEquals("k8s-master-0", labels.get(NodeLabels.HOSTNAME));
    assertEquals("openstack:///0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10", master.getSpec().getProviderID());
    assertEquals("0b5a3f616c524d6b9a516d1f3c0e4a10", master.getStatus().getNodeInfo().getMachineID());
    assertEquals(Map.of("InternalIP", "10.0.0.10", "Hostname", "k8s-master-0"), addresses(master));
    NodeCondition ready = NodeConditions.condition(master, "Ready").orElseThrow();
    assertEquals("KubeletReady", ready.getReason());
    assertNotNull(ready.getLastHeartbeatTime());
    assertNotNull(ready.getLastTransitionTime());

    Node worker = simulator.client().nodes().withName("k8s-node-0").get();
    assertFalse(NodeLabels.isMaster(worker));
    assertEquals("default-worker", worker.getMetadata().getLabels().get(NodeLabels.MAGNUM_NODEGROUP));
  }

  @Test
  void stoppedServerTurnsUnknownAfterTheGracePeriod() throws Exception {
    SimServer server = add(server("3e8d6294-9f85-4a9e-8d84-9a4b6f317d43", "k8s-node-0", "worker", "default-worker"));
    kubelets.start();
    Instant readySince = transitionTime(nodes.awaitReadyStatus("k8s-node-0", "True", TIMEOUT));

    world.update(server.id(), s -> s.withStatus(ServerStatus.SHUTOFF));

    Node node = nodes.awaitReadyStatus("k8s-node-0", "Unknown", TIMEOUT);
    NodeCondition ready = NodeConditions.condition(node, "Ready").orElseThrow();
    assertEquals("NodeStatusUnknown", ready.getReason());
    assertEquals("Kubelet stopped posting node status.", ready.getMessage());
    assertTrue(transitionTime(node).isAfter(readySince), "fresh lastTransitionTime");
    assertEquals(4, node.getStatus().getConditions().size(), "conditions replaced, not appended");
    assertTrue(node.getStatus().getConditions().stream().allMatch(c -> "Unknown".equals(c.getStatus())));
  }

  @Test
  void newServerRegistersItsNodeAfterBooting() throws Exception {
    kubelets.start();
    SimServer server = add(server("4f9e73a5-a096-4baf-9e95-ab5c70428e54", "k8s-node-2", "worker", "ng-2")
        .withStatus(ServerStatus.BUILD));
    assertNull(simulator.client().nodes().withName("k8s-node-2").get());

    long active = System.nanoTime();
    world.update(server.id(), s -> s.withStatus(ServerStatus.ACTIVE));

    Node node = nodes.awaitReadyStatus("k8s-node-2", "True", TIMEOUT);
    Duration booted = Duration.ofNanos(System.nanoTime() - active);
    assertTrue(booted.compareTo(FAST.scaled(KubeletTimings.defaults().firstBoot())) >= 0, "boot took " + booted);
    assertEquals("ng-2", node.getMetadata().getLabels().get(NodeLabels.MAGNUM_NODEGROUP));
  }

  @Test
  void rebootOfAServerWithAStoppedKubeletMakesItsNodeReadyAgain() throws Exception {
    SimServer server = add(server("5a0f84b6-b1a7-4cc0-8fa6-bc6d81539f65", "k8s-node-0", "worker", "default-worker"));
    kubelets.start();
    String firstBoot = nodes.awaitReadyStatus("k8s-node-0", "True", TIMEOUT).getStatus().getNodeInfo().getBootID();

    kubelets.breakNode("k8s-node-0", NodeFault.KUBELET_STOPPED);
    Instant unknownSince = transitionTime(nodes.awaitReadyStatus("k8s-node-0", "Unknown", TIMEOUT));

    world.update(server.id(), s -> s.withStatus(ServerStatus.REBOOT));
    world.update(server.id(), s -> s.withStatus(ServerStatus.ACTIVE).withFault(NodeFault.NONE));

    Node node = nodes.awaitReadyStatus("k8s-node-0", "True", TIMEOUT);
    assertTrue(transitionTime(node).isAfter(unknownSince));
    assertNotEquals(firstBoot, node.getStatus().getNodeInfo().getBootID(), "a reboot is a new boot");
    assertEquals(4, node.getStatus().getConditions().size());
  }

  @Test
  void faultClearedInARunningServerMakesItsNodeReadyAgain() throws Exception {
    world.add(server("6b1a95c7-c2b8-4dd1-9ab7-cd7e9264a076", "k8s-node-0", "worker", "default-worker"));
    kubelets.start();
    kubelets.breakNode("k8s-node-0", NodeFault.BROKEN_UNTIL_REPLACED);
    nodes.awaitReadyStatus("k8s-node-0", "Unknown", TIMEOUT);

    kubelets.breakNode("k8s-node-0", NodeFault.NONE);

    nodes.awaitReadyStatus("k8s-node-0", "True", TIMEOUT);
  }

  @Test
  void deletedServerLeavesItsNodeNotReadyAndAReplacementOfTheSameNameTakesOver() throws Exception {
    SimServer old = add(server("7c2ba6d8-d3c9-4ee2-8bc8-de8fa375b187", "k8s-node-0", "worker", "default-worker"));
    kubelets.start();
    nodes.awaitReadyStatus("k8s-node-0", "True", TIMEOUT);

    world.remove(old.id());
    nodes.awaitReadyStatus("k8s-node-0", "Unknown", TIMEOUT);

    world.add(server("8d3cb7e9-e4da-4ff3-9cd9-ef90b486c298", "k8s-node-0", "worker", "default-worker"));
    Node replaced = nodes.awaitNode("k8s-node-0", "owned by the new server",
        n -> n.getSpec().getProviderID().endsWith("8d3cb7e9-e4da-4ff3-9cd9-ef90b486c298") && NodeConditions.isReady(n),
        TIMEOUT);
    assertEquals("8d3cb7e9e4da4ff39cd9ef90b486c298", replaced.getStatus().getNodeInfo().getMachineID());
  }

  private SimServer add(SimServer server) {
    world.add(server);
    return server;
  }

  /** An ACTIVE server; the n-th one made in a test has the IP 10.0.0.(10 + n). */
  private SimServer server(String id, String name, String role, String nodegroup) {
    String ip = "10.0.0." + (10 + servers++);
    return new SimServer(id, name, role, nodegroup, ip, ServerStatus.ACTIVE, NodeFault.NONE);
  }

  private static Map<String, String> addresses(Node node) {
    List<NodeAddress> addresses = node.getStatus().getAddresses();
    return addresses.stream().collect(java.util.stream.Collectors.toMap(NodeAddress::getType, NodeAddress::getAddress));
  }

  private static Instant transitionTime(Node node) {
    return Instant.parse(NodeConditions.condition(node, "Ready").orElseThrow().getLastTransitionTime());
  }
}
