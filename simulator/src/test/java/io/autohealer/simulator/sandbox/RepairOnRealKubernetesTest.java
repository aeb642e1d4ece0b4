package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigLoader;
import io.autohealer.deploy.DeployRbac;
import io.autohealer.detector.NodeFacts;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.kubernetes.NodeAwaiter;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.openstack.KeystoneAccount;
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
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPolicy;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import org.junit.jupiter.api.Test;

/**
 * The sandbox scenario's repair with the Kubernetes side real: the simulated kubelets of a {@link
 * CloudWorld} keep its Nodes on kube-apiserver, the OpenStack simulator serves Keystone, Nova,
 * Magnum and Heat, and an in-process {@link RepairWorker} reads a config whose {@code
 * kubernetes.kubeconfig} is the worker ServiceAccount's token under deploy/base's RBAC. A node whose
 * kubelet stopped is cordoned, drained, rebooted through Nova, seen Ready and uncordoned: REBOOTED.
 */
@RealKubernetes
class RepairOnRealKubernetesTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aStoppedKubeletIsRebootedWithTheWorkerUnderItsServiceAccount(RealKubeApiServer kube) throws Exception {
    Path workDir = kube.workDir().resolve("repair");
    Files.createDirectories(workDir);
    DeployRbac.apply(kube, workDir.resolve("scratch"));
    KubernetesClient admin = kube.adminClient();

    CloudWorld world = new CloudWorld(new SimTiming(20));
    long started = System.nanoTime();
    try (OpenStackSimulator openstack = new OpenStackSimulator(world, SimulatorOptions.defaults()).start();
        SimulatedKubelets kubelets = new SimulatedKubelets(world, admin).start();
        NodeAwaiter nodes = new NodeAwaiter(admin);
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      SimulatedCluster cluster = openstack.newCluster("k8s").masters(1).workers(3)
          .label("auto_healing_enabled", "true").create();
      nodes.awaitReady(4, WAIT);
      long ready = System.nanoTime();
      String name = cluster.workerIds().stream().flatMap(id -> world.server(id).stream()).map(SimServer::name)
          .sorted().findFirst().orElseThrow();

      Path kubeconfig = writeKubeconfig(kube, workDir.resolve("worker.kubeconfig"),
          kube.serviceAccountToken(DeployRbac.NAMESPACE, DeployRbac.WORKER));
      Path config = Files.writeString(workDir.resolve("config.yaml"), config(cluster.name(), kubeconfig,
          openstack, temporal.target()));

      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try (RepairWorker worker = RepairWorker.start(ConfigLoader.load(config), true)) {
        WorkflowClient client = WorkflowClient.newInstance(stubs,
            WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());

        kubelets.breakNode(name, NodeFault.KUBELET_STOPPED);
        nodes.awaitReadyStatus(name, "Unknown", WAIT);
        Node node = admin.nodes().withName(name).get();
        RepairRequest request = new RepairRequest(cluster.name(), name, NodeFacts.serverId(node).orElseThrow(),
            NodeFacts.role(node), NodeFacts.nodegroup(node), NodeFacts.addresses(node), "NodeConditionCheck",
            "kubelet stopped by the test", Instant.now(), fastPolicy());
        long repairStarted = System.nanoTime();
        new RepairStarter(client).start(request);
        RepairNodeWorkflow repair =
            client.newWorkflowStub(RepairNodeWorkflow.class, RepairIds.workflowId(cluster.name(), name));
        RepairResult result = WorkflowStub.fromTyped(repair).getResult(WAIT.toSeconds(), TimeUnit.SECONDS,
            RepairResult.class);
        long done = System.nanoTime();
        System.out.printf("[real-kubernetes] repair of %s: %s (%s); cluster Ready %d ms, repair %d ms%n", name,
            result.outcome(), result.message(), TimeUnit.NANOSECONDS.toMillis(ready - started),
            TimeUnit.NANOSECONDS.toMillis(done - repairStarted));

        assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());
        assertEquals(1, openstack.calls("nova.server.reboot"));
        Node after = admin.nodes().withName(name).get();
        assertNull(after.getSpec().getUnschedulable(), "uncordoned");
        assertEquals("True", after.getStatus().getConditions().stream()
            .filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow().getStatus());
        assertNotNull(after.getMetadata().getAnnotations());
        assertNull(after.getMetadata().getAnnotations().get(KubernetesActivities.REPAIR_FAILED));
        List<Event> events = admin.v1().events().inNamespace("default").list().getItems().stream()
            .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
        assertTrue(!events.isEmpty(), "no Event about the node from the worker");
        System.out.println("[real-kubernetes] events: " + events.stream().map(Event::getReason).toList());
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  static RepairPolicy fastPolicy() {
    return new RepairPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), false, false, true,
        Duration.ofSeconds(20), true, Duration.ofSeconds(8), Duration.ofHours(1), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(5));
  }

  static Path writeKubeconfig(RealKubeApiServer kube, Path file, String token) throws Exception {
    return Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
          - name: real
            cluster: {server: "%s", certificate-authority: "%s"}
        users:
          - name: autohealer-worker
            user: {token: "%s"}
        contexts:
          - name: worker
            context: {cluster: real, user: autohealer-worker, namespace: %s}
        current-context: worker
        """.formatted(kube.masterUrl(), kube.caCertFile().toAbsolutePath(), token, DeployRbac.NAMESPACE));
  }

  static String config(String cluster, Path kubeconfig, OpenStackSimulator openstack, String temporal) {
    KeystoneAccount account = openstack.account();
    return """
        cluster-name: %s
        dry-run: false
        leader-elect: false
        metrics-port: 0
        healthcheck:
          worker:
            - type: NodeCondition
              params: {unhealthy-duration: 5s, types: ["Ready"], ok-values: ["True"]}
        kubernetes:
          kubeconfig: %s
        openstack:
          auth-url: %s
          user-id: %s
          project-id: %s
          password: %s
          region: RegionOne
        temporal:
          address: %s
          namespace: %s
        repair:
          poll-interval: 1s
          gate-recheck-interval: 5s
          drain-timeout: 30s
          csi-detach-timeout: 10s
        """.formatted(cluster, kubeconfig.toAbsolutePath(), openstack.authUrl(), account.userId(), account.projectId(),
        account.password(), temporal, EmbeddedTemporal.NAMESPACE);
  }
}
