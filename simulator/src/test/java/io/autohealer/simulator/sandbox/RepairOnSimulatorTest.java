package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.NodeFacts;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.CloudAction;
import io.autohealer.simulator.invariants.SimulatorInvariants;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.worker.RepairWorker;
import io.autohealer.worker.WorkerMain;
import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairPolicy;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Whole repairs with the real worker code (fabric8, openstack4j) against the simulated cluster and
 * the embedded Temporal server, one path of the ladder per test: the gate, cancel, pause, a
 * permanent error and a worker killed mid-repair. Repairs are started directly, not by a detector.
 * The invariant checker watches every test; a breach fails it with the events that led to it.
 */
class RepairOnSimulatorTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  private Simulator simulator;
  private EmbeddedTemporal temporal;
  private WorkflowServiceStubs stubs;
  private WorkflowClient client;
  private Path workDir;
  private Path configFile;
  private SimulatorInvariants invariants;

  @BeforeEach
  void start(TestInfo test) throws Exception {
    simulator = Simulator.start(Simulator.Options.defaults(), Duration.ofMinutes(1));
    temporal = EmbeddedTemporal.start(0);
    workDir = Path.of("target", "repair-on-simulator", test.getTestMethod().orElseThrow().getName());
    configFile = SandboxConfig.write(workDir, simulator, temporal.target(), Duration.ofSeconds(5), false);
    invariants = SimulatorInvariants.attach(simulator, config().safety());
    stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
  }

  @AfterEach
  void stop() {
    try {
      invariants.checker().assertNoBreach();
    } finally {
      invariants.close();
      shutDown();
    }
  }

  private void shutDown() {
    stubs.shutdownNow();
    temporal.close();
    simulator.close();
  }

  private AutoHealerConfig config() {
    return ConfigLoader.load(configFile);
  }

  private static RepairPolicy fastPolicy() {
    return new RepairPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), false, false, true,
        Duration.ofSeconds(20), true, Duration.ofSeconds(8), Duration.ofHours(1), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(5));
  }

  /** Breaks the first worker and, once it is seen NotReady, starts its repair as the detector would. */
  private RepairNodeWorkflow breakAndRepair(NodeFault fault) throws Exception {
    String name = simulator.workerNodes().get(0);
    simulator.breakNode(name, fault);
    simulator.nodes().awaitReadyStatus(name, "Unknown", WAIT);
    Node node = simulator.kubernetes().client().nodes().withName(name).get();
    RepairRequest request = new RepairRequest(simulator.cluster().name(), name, NodeFacts.serverId(node).orElseThrow(),
        NodeFacts.role(node), NodeFacts.nodegroup(node), NodeFacts.addresses(node), "NodeConditionCheck",
        "broken by the test", Instant.now(), fastPolicy());
    new RepairStarter(client).start(request);
    return client.newWorkflowStub(RepairNodeWorkflow.class, RepairIds.workflowId(request.cluster(), name));
  }

  private static RepairResult result(RepairNodeWorkflow repair) {
    return WorkflowStub.fromTyped(repair).getResult(RepairResult.class);
  }

  private static RepairStatus awaitStatus(RepairNodeWorkflow repair, String what, Predicate<RepairStatus> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    RepairStatus status = repair.status();
    while (!done.test(status)) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; last status " + status);
      Thread.sleep(100);
      status = repair.status();
    }
    return status;
  }

  private Node node(String name) {
    return simulator.kubernetes().client().nodes().withName(name).get();
  }

  private long calls(String operation) {
    return simulator.openstack().calls(operation);
  }

  @Test
  void closedGateHoldsTheRepairUntilMagnumIsDone() throws Exception {
    simulator.cluster().setStatus("UPDATE_IN_PROGRESS", "an upgrade");
    try (RepairWorker worker = RepairWorker.start(config(), true)) {
      RepairNodeWorkflow repair = breakAndRepair(NodeFault.KUBELET_STOPPED);

      awaitStatus(repair, "the gate looked at twice", s -> s.steps().stream()
          .anyMatch(step -> step.phase() == RepairPhase.GATED && step.attempts() >= 2));
      assertEquals(0, calls("nova.server.reboot"), "nothing acts while the gate is closed");

      simulator.cluster().setStatus("UPDATE_COMPLETE", null);
      RepairResult result = result(repair);

      assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());
      assertEquals(1, calls("nova.server.reboot"));
    }
  }

  @Test
  void cancelMidRepairStopsAndLeavesTheBrokenNodeCordoned() throws Exception {
    try (RepairWorker worker = RepairWorker.start(config(), true)) {
      RepairNodeWorkflow repair = breakAndRepair(NodeFault.BROKEN_UNTIL_REPLACED);
      awaitStatus(repair, "waiting for Ready after the reboot",
          s -> s.phase() == RepairPhase.AWAITING_READY_AFTER_REBOOT);

      repair.cancel(new OperatorRequest("test", "changed my mind"));
      RepairResult result = result(repair);

      assertEquals(RepairOutcome.CANCELLED, result.outcome(), result.message());
      assertTrue(node(simulator.workerNodes().get(0)).getSpec().getUnschedulable(), "a broken node stays cordoned");
      assertEquals(0, calls("magnum.resize"));
      assertEquals(0, calls("nova.server.stop"));
    }
  }

  @Test
  void pausedRepairDoesNothingUntilResumed() throws Exception {
    try (RepairWorker worker = RepairWorker.start(config(), true)) {
      RepairNodeWorkflow repair = breakAndRepair(NodeFault.KUBELET_STOPPED);
      repair.pause(new OperatorRequest("test", "look first"));

      RepairStatus paused = awaitStatus(repair, "paused", s -> s.phase() == RepairPhase.PAUSED);
      assertTrue(paused.paused());
      assertEquals(0, calls("nova.server.reboot"));

      repair.resume(new OperatorRequest("test", null));
      RepairResult result = result(repair);

      assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());
    }
  }

  @Test
  void permanentErrorEndsFailedWithTheNodeCordonedAnnotatedAndNothingDeleted() throws Exception {
    simulator.openstack().faults().failNext("magnum.resize", 1, 400);
    try (RepairWorker worker = RepairWorker.start(config(), true)) {
      RepairNodeWorkflow repair = breakAndRepair(NodeFault.BROKEN_UNTIL_REPLACED);
      String name = simulator.workerNodes().get(0);

      RepairResult result = result(repair);

      assertEquals(RepairOutcome.FAILED, result.outcome(), result.message());
      assertTrue(result.message().contains("400"), result.message());
      Node node = node(name);
      assertTrue(node.getSpec().getUnschedulable(), "left cordoned");
      assertTrue(node.getMetadata().getAnnotations().get(KubernetesActivities.REPAIR_FAILED).contains("400"));
      assertEquals(1, calls("magnum.resize"), "a 400 is not retried");
      assertEquals(0, calls("nova.server.delete") + calls("nova.server.forceDelete"));
      assertEquals(List.of(), invariants.checker().deletedNodes(), "no Node object deleted");
      assertEquals(List.of(), invariants.checker().actions().stream()
          .filter(a -> a.action() == CloudAction.DELETE || a.action() == CloudAction.FORCE_DELETE
              || a.action() == CloudAction.RESIZE_REMOVE || a.action() == CloudAction.STACK_UPDATE)
          .toList(), "no server deleted or replaced");
    }
  }

  @Test
  void workerKilledMidRepairIsReplacedAndTheRepairEndsWithExactlyOneResize() throws Exception {
    List<String> args = List.of("--config", configFile.toString(), "--test-server", "--metrics-port", "0");
    ChildJvm first = ChildJvm.start("worker-1", WorkerMain.class, workDir.resolve("worker-1.log"), args);
    RepairNodeWorkflow repair;
    try {
      repair = breakAndRepair(NodeFault.BROKEN_UNTIL_REPLACED);
      awaitStatus(repair, "the resize sent", s -> s.phase() == RepairPhase.AWAITING_CLUSTER_UPDATE);
    } finally {
      first.kill();
    }
    assertFalse(first.isAlive());
    try (ChildJvm second = ChildJvm.start("worker-2", WorkerMain.class, workDir.resolve("worker-2.log"), args)) {
      RepairResult result = result(repair);

      assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
      assertEquals(1, calls("magnum.resize"), "exactly one resize across both workers");
    }
  }
}
