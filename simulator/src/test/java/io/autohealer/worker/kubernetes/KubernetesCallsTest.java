package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.kubernetes.ApiCallLog;
import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.kubernetes.NodeAwaiter;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.kubernetes.SimulatedWorkloads;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AnnotateNode;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitCsiDetach;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.CountMasters;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.DrainResult;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.MasterCount;
import io.autohealer.workflows.activities.KubernetesActivities.RecordEvent;
import io.autohealer.workflows.activities.KubernetesActivities.Uncordon;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes side of repairs on a simulated cluster with workloads: a drain of a live worker
 * and of a stopped one, the CSI volumes let go, a reboot's uncordon, a replacement's rejoin. Every
 * API call the activities make is recorded and must be in {@code kubernetes-calls.txt}, and every
 * line there must be used, so that the RBAC derived from it is neither short nor wide.
 */
class KubernetesCallsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final SimTiming FAST = new SimTiming(200);

  private KubernetesSimulator simulator;
  private CloudWorld world;
  private SimulatedKubelets kubelets;
  private SimulatedWorkloads workloads;
  private NodeAwaiter nodes;
  private KubernetesClient client;
  private DrainHarness harness;
  private KubernetesActivities activities;
  private final ApiCallLog calls = new ApiCallLog();

  @BeforeEach
  void setUp() throws Exception {
    simulator = KubernetesSimulator.start(0);
    world = new CloudWorld(FAST);
    world.add(server("0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10", "k8s-master-0", "master", "10.0.0.10"));
    world.add(server("1c6b4072-7d63-4e7c-8b62-7e2f4d1f5b21", "k8s-node-0", "worker", "10.0.0.11"));
    world.add(server("2d7c5183-8e74-4f8d-9c73-8f3a5e206c32", "k8s-node-1", "worker", "10.0.0.12"));
    world.add(server("3e8d6294-9f85-4a9e-8d84-9a4b6f317d43", "k8s-node-2", "worker", "10.0.0.13"));
    kubelets = new SimulatedKubelets(world, simulator.client()).start();
    simulator.kubeletsRunning(kubelets::running);
    nodes = new NodeAwaiter(simulator.client());
    nodes.awaitReady(4, TIMEOUT);
    workloads = new SimulatedWorkloads(simulator, FAST, SimulatedWorkloads.Options.defaults()).start();
    workloads.awaitSettled(TIMEOUT);
    simulator.addInterceptor(calls);
    client = new KubernetesClientBuilder().withConfig(simulator.clientConfig()).build();
    harness = new DrainHarness(client, Duration.ofMillis(300));
    activities = harness.activities(Duration.ofSeconds(30));
  }

  @AfterEach
  void tearDown() {
    harness.close();
    client.close();
    workloads.close();
    nodes.close();
    kubelets.close();
    simulator.close();
  }

  @Test
  void repairsOnAClusterWithWorkloadsMakeExactlyTheListedCalls() throws Exception {
    String live = nodeOf("db-0");
    String stopped = nodeOf("db-1");

    assertEquals("1c6b4072-7d63-4e7c-8b62-7e2f4d1f5b21", activities.inspectNode(new InspectNode("k8s-node-0")).serverId());
    assertEquals(new MasterCount(1, 1, List.of()), activities.countMasters(new CountMasters()));
    assertTrue(activities.annotateNode(new AnnotateNode(live, Map.of(KubernetesActivities.REBOOTED_AT, "2026-11-25T03:00:00Z")))
        .changed());
    assertTrue(activities.recordEvent(new RecordEvent(live, "Normal", "RepairStarted", "draining")).recorded());

    // A live worker: its pods are evicted and move, its volume is detached afterwards.
    assertTrue(activities.cordon(new Cordon(live)).changed());
    DrainResult drained = activities.drainNode(new Drain(live, TIMEOUT, POLL));
    assertFalse(drained.timedOut(), drained.toString());
    assertTrue(drained.evicted().contains("apps/db-0"), drained.toString());
    assertTrue(drained.skipped().contains("kube-system/csi-cinder-nodeplugin-" + live), drained.toString());
    assertEquals(List.of(), activities.awaitCsiDetach(new AwaitCsiDetach(live, TIMEOUT, POLL)).stillAttached());

    // A stopped worker: evictions are accepted but nothing ends the pods until they are deleted.
    SimServer server = world.serverByName(stopped).orElseThrow();
    world.update(server.id(), s -> s.withStatus(ServerStatus.SHUTOFF));
    nodes.awaitReadyStatus(stopped, "Unknown", TIMEOUT);
    assertEquals(List.of(SimulatedWorkloads.volumeHandle(1)),
        activities.awaitCsiDetach(new AwaitCsiDetach(stopped, Duration.ofMillis(100), POLL)).stillAttached());
    activities.cordon(new Cordon(stopped));
    DrainResult forced = activities.drainNode(new Drain(stopped, TIMEOUT, POLL));
    assertFalse(forced.timedOut(), forced.toString());
    assertTrue(forced.evicted().contains("apps/db-1"), forced.toString());
    assertEquals(List.of(), activities.awaitCsiDetach(new AwaitCsiDetach(stopped, TIMEOUT, POLL)).stillAttached());
    workloads.awaitPods("db-0 and db-1 Ready elsewhere", pods -> pods.stream()
        .filter(p -> p.getMetadata().getName().startsWith("db-") && SimulatedWorkloads.isReady(p))
        .map(p -> p.getSpec().getNodeName()).noneMatch(n -> n.equals(live) || n.equals(stopped)), TIMEOUT);

    // The live worker was "rebooted": it is Ready and goes back into service.
    assertTrue(activities.awaitNodeReady(new AwaitNodeReady(live, null, TIMEOUT, POLL)).ready());
    assertTrue(activities.uncordon(new Uncordon(live)).changed());

    // The stopped one is replaced: the others of its nodegroup count, its Node goes.
    assertEquals(2, activities.awaitRejoin(new AwaitRejoin("default-worker", NodeRole.WORKER, stopped, 2, POLL))
        .readyNodes().size());
    assertTrue(activities.deleteNode(new DeleteNode(stopped)).deleted());

    assertEquals(listedCalls(), new TreeSet<>(calls.counts().keySet()));
  }

  @Test
  void theListIsOnTheWorkersClassPath() throws Exception {
    Set<String> listed = listedCalls();
    assertTrue(listed.contains("create /pods/eviction"), listed.toString());
    assertTrue(listed.stream().allMatch(l -> l.matches("[a-z]+ [a-z0-9.]*/[a-z]+(/[a-z]+)?")), listed.toString());
  }

  private static Set<String> listedCalls() throws Exception {
    try (InputStream in = KubernetesActivitiesImpl.class.getClassLoader()
        .getResourceAsStream(KubernetesActivitiesImpl.CALLS_RESOURCE)) {
      assertNotNull(in, KubernetesActivitiesImpl.CALLS_RESOURCE);
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
          .map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private String nodeOf(String dbPod) {
    Pod pod = simulator.client().pods().inNamespace(SimulatedWorkloads.APPS).withName(dbPod).get();
    return pod.getSpec().getNodeName();
  }

  private static SimServer server(String id, String name, String role, String ip) {
    return new SimServer(id, name, role, "default-" + role, ip, ServerStatus.ACTIVE, NodeFault.NONE);
  }
}
