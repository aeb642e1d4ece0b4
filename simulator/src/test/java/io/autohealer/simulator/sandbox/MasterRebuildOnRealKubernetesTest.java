package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigLoader;
import io.autohealer.deploy.DeployRbac;
import io.autohealer.detector.NodeFacts;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.kubernetes.NodeAwaiter;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.autohealer.simulator.realkube.RealKubernetes;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.worker.RepairWorker;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.worker.kubernetes.NodeLabels;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's master rebuild with the Kubernetes side real: a cluster of 3 masters and 1 worker
 * whose Nodes the simulated kubelets keep on kube-apiserver; one master breaks in a way a reboot does
 * not heal. The in-process worker (deploy/base RBAC, the worker ServiceAccount's token) reboots it,
 * sees it stay NotReady, checks quorum, marks it unhealthy in Heat, shuts it off, updates the stack,
 * deletes the stale Node, and waits until the master's new server re-registers the Node and it is
 * Ready: REBUILT. A watch on the Nodes follows the whole repair: the other two masters stay Ready.
 */
@RealKubernetes
class MasterRebuildOnRealKubernetesTest {
  private static final Duration WAIT = Duration.ofSeconds(150);

  @Test
  void aMasterThatARebootCannotHealIsRebuiltThroughHeatAndRejoins(RealKubeApiServer kube) throws Exception {
    Path workDir = kube.workDir().resolve("master-rebuild");
    Files.createDirectories(workDir);
    DeployRbac.apply(kube, workDir.resolve("scratch"));
    KubernetesClient admin = kube.adminClient();

    CloudWorld world = new CloudWorld(new SimTiming(20));
    long started = System.nanoTime();
    try (OpenStackSimulator openstack = new OpenStackSimulator(world, SimulatorOptions.defaults()).start();
        SimulatedKubelets kubelets = new SimulatedKubelets(world, admin).start();
        NodeAwaiter nodes = new NodeAwaiter(admin);
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      SimulatedCluster cluster = openstack.newCluster("k8s").masters(3).workers(1)
          .label("auto_healing_enabled", "true").create();
      nodes.awaitReady(4, WAIT);
      long ready = System.nanoTime();
      String name = cluster.masterIds().stream().flatMap(id -> world.server(id).stream()).map(SimServer::name)
          .sorted().findFirst().orElseThrow();
      Node before = admin.nodes().withName(name).get();
      String oldServer = NodeFacts.serverId(before).orElseThrow();

      Path kubeconfig = RepairOnRealKubernetesTest.writeKubeconfig(kube, workDir.resolve("worker.kubeconfig"),
          kube.serviceAccountToken(DeployRbac.NAMESPACE, DeployRbac.WORKER));
      Path config = Files.writeString(workDir.resolve("config.yaml"), RepairOnRealKubernetesTest.config(
          cluster.name(), kubeconfig, openstack, temporal.target()));

      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try (RepairWorker worker = RepairWorker.start(ConfigLoader.load(config), true);
          OtherMastersWatch others = new OtherMastersWatch(admin, name)) {
        WorkflowClient client = WorkflowClient.newInstance(stubs,
            WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());

        kubelets.breakNode(name, NodeFault.BROKEN_UNTIL_REPLACED);
        nodes.awaitReadyStatus(name, "Unknown", WAIT);
        Node broken = admin.nodes().withName(name).get();
        assertEquals(NodeRole.MASTER, NodeFacts.role(broken));
        RepairRequest request = new RepairRequest(cluster.name(), name, oldServer, NodeFacts.role(broken),
            NodeFacts.nodegroup(broken), NodeFacts.addresses(broken), "NodeConditionCheck",
            "master broken by the test in a way a reboot does not heal", Instant.now(),
            RepairOnRealKubernetesTest.fastPolicy());
        long repairStarted = System.nanoTime();
        new RepairStarter(client).start(request);
        RepairNodeWorkflow repair =
            client.newWorkflowStub(RepairNodeWorkflow.class, RepairIds.workflowId(cluster.name(), name));
        RepairResult result = WorkflowStub.fromTyped(repair).getResult(WAIT.toSeconds(), TimeUnit.SECONDS,
            RepairResult.class);
        long done = System.nanoTime();
        RepairStatus status = repair.status();
        List<RepairPhase> phases = status.steps().stream().map(RepairStatus.Step::phase).distinct().toList();
        System.out.printf("[real-kubernetes] master rebuild of %s: %s (%s); cluster Ready %d ms, repair %d ms;"
                + " phases %s; fewest other masters Ready during the repair: %d of 2 (%d Node events watched)%n",
            name, result.outcome(), result.message(), TimeUnit.NANOSECONDS.toMillis(ready - started),
            TimeUnit.NANOSECONDS.toMillis(done - repairStarted), phases, others.fewestReady(), others.events());
        System.out.println("[real-kubernetes] OpenStack calls: " + openstack.callCounts());

        assertEquals(RepairOutcome.REBUILT, result.outcome(), result.message());
        assertTrue(phases.containsAll(List.of(RepairPhase.REBOOTING, RepairPhase.CHECKING_QUORUM,
            RepairPhase.MARKING_UNHEALTHY, RepairPhase.UPDATING_STACK, RepairPhase.REMOVING_OLD_NODE,
            RepairPhase.AWAITING_REJOIN)), "phases " + phases);
        assertEquals(1, openstack.calls("heat.stack.update"), "exactly one stack update");
        assertTrue(openstack.calls("heat.resource.markUnhealthy") >= 1, "the server marked unhealthy");
        assertEquals(0, openstack.calls("magnum.resize"), "a master is never resized");

        // The Node re-registered: a new object, on the master's new server, Ready, still a master.
        Node after = admin.nodes().withName(name).get();
        assertNotEquals(before.getMetadata().getUid(), after.getMetadata().getUid(), "the Node was registered anew");
        String newServer = NodeFacts.serverId(after).orElseThrow();
        assertNotEquals(oldServer, newServer, "the Node names the rebuilt server");
        assertTrue(cluster.masterIds().contains(newServer), "the new server is one of the stack's masters");
        assertTrue(NodeConditions.isReady(after), "rebuilt master Ready");
        assertTrue(NodeLabels.isMaster(after), "rebuilt Node labelled master");
        assertNull(after.getSpec().getUnschedulable(), "not left cordoned");

        // Quorum: the two other masters were Ready at every Node event of the repair.
        assertTrue(others.events() > 0, "the watch saw the repair's Node changes");
        assertEquals(2, others.fewestReady(), "other masters Ready at the worst moment of the repair");
        assertEquals(3, nodes.nodes().stream().filter(NodeLabels::isMaster).filter(NodeConditions::isReady).count(),
            "3 masters Ready at the end");
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  /** Watches the Nodes and remembers the fewest Ready masters other than {@code repaired} it ever saw. */
  private static final class OtherMastersWatch implements AutoCloseable {
    private final SharedIndexInformer<Node> informer;
    private final String repaired;
    private final AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger events = new AtomicInteger();
    /** Off while the informer's first list fills its store one Node at a time. */
    private volatile boolean synced;

    OtherMastersWatch(KubernetesClient client, String repaired) {
      this.repaired = repaired;
      this.informer = client.nodes().inform(new ResourceEventHandler<>() {
        @Override
        public void onAdd(Node node) {
          look();
        }

        @Override
        public void onUpdate(Node oldNode, Node newNode) {
          look();
        }

        @Override
        public void onDelete(Node node, boolean deletedFinalStateUnknown) {
          look();
        }
      });
      synced = true; // inform() returns after the first list
      look();
    }

    private void look() {
      if (!synced) {
        return;
      }
      events.incrementAndGet();
      int ready = (int) informer.getStore().list().stream()
          .filter(NodeLabels::isMaster)
          .filter(n -> !repaired.equals(n.getMetadata().getName()))
          .filter(NodeConditions::isReady)
          .count();
      fewest.accumulateAndGet(ready, Math::min);
    }

    int fewestReady() {
      return fewest.get();
    }

    int events() {
      return events.get();
    }

    @Override
    public void close() {
      informer.close();
    }
  }
}
