package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.DetectorMain;
import io.autohealer.detector.NodeFacts;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.SimulatorInvariants;
import io.autohealer.simulator.realtemporal.RealTemporal;
import io.autohealer.simulator.realtemporal.TemporalDevServer;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.worker.WorkerMain;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairPolicy;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The Temporal server goes down in the middle of a repair, after the resize was sent, and comes
 * back on the same SQLite file: the repair goes on where it was and replaces the node with exactly
 * one {@code magnum.resize}, and the worker (a JVM of its own, the real {@code WorkerMain} with
 * sticky queues, as in production) reconnects by itself: same process, never restarted. So does
 * the detector (a JVM of its own too): a node that breaks after the restart gets its repair
 * started by the same detector process. Once with a graceful stop (SIGTERM), once with a crash
 * (SIGKILL). Each test has a dev server of its own.
 */
@RealTemporal
class TemporalRestartMidRepairTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void repairSurvivesATemporalStopAndRestartWithExactlyOneResize(TestInfo test) throws Exception {
    survives(test, TemporalDevServer::stop, "SIGTERM");
  }

  @Test
  void repairSurvivesATemporalCrashAndRestartWithExactlyOneResize(TestInfo test) throws Exception {
    survives(test, TemporalDevServer::kill, "SIGKILL");
  }

  private static void survives(TestInfo test, Consumer<TemporalDevServer> down, String how) throws Exception {
    Path workDir = Path.of("target", "temporal-restart",
        test.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(workDir);
    try (Simulator simulator = Simulator.start(Simulator.Options.defaults(), Duration.ofMinutes(1));
        TemporalDevServer server = TemporalDevServer.builder().workDir(workDir).start()) {
      // A short drain-timeout: the pods of a node whose kubelet is gone never end by themselves.
      Path config = SandboxConfig.write(workDir, simulator, server.target(), Duration.ofSeconds(5), false,
          Map.of("repair", Map.of("poll-interval", "1s", "gate-recheck-interval", "5s", "drain-timeout", "5s",
              "csi-detach-timeout", "10s")));
      WorkflowClient client = server.newWorkflowClient();
      try (SimulatorInvariants invariants = SimulatorInvariants.attach(simulator, ConfigLoader.load(config).safety());
          ChildJvm worker = ChildJvm.start("worker", WorkerMain.class, workDir.resolve("worker.log"),
              List.of("--config", config.toString(), "--metrics-port", "0"));
          ChildJvm detector = ChildJvm.start("detector", DetectorMain.class, workDir.resolve("detector.log"),
              List.of("--config", config.toString()))) {
        long workerPid = worker.pid();
        long detectorPid = detector.pid();
        RepairNodeWorkflow repair = breakAndRepair(simulator, client);
        RepairStatus mid = awaitStatus(repair, "the resize sent",
            s -> s.phase() == RepairPhase.AWAITING_CLUSTER_UPDATE);
        assertEquals(1, simulator.openstack().calls("magnum.resize"), "the resize was sent before the outage");
        long serverPid = server.pid();

        long t0 = System.nanoTime();
        down.accept(server);
        long downMs = ms(t0);
        assertFalse(server.isRunning(), "the dev server is down");
        long t1 = System.nanoTime();
        server.restart();
        long upMs = ms(t1);
        assertTrue(server.pid() != serverPid, "a new dev server process on the same db");

        long t2 = System.nanoTime();
        RepairResult result = WorkflowStub.fromTyped(repair).getResultAsync(RepairResult.class)
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long restMs = ms(t2);

        assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
        assertEquals(1, simulator.openstack().calls("magnum.resize"), "exactly one resize across the outage");
        assertTrue(worker.isAlive(), "the worker survived the outage");
        assertEquals(workerPid, worker.pid(), "the same worker process, never restarted");

        // A node broken after the restart: the detector that ran before it starts the repair.
        String later = simulator.workerNodes().stream().filter(n -> !n.equals(mid.node())).findFirst().orElseThrow();
        simulator.breakNode(later, NodeFault.KUBELET_STOPPED);
        long t3 = System.nanoTime();
        String nextId = RepairIds.workflowId(simulator.cluster().name(), later);
        awaitStarted(client, nextId);
        RepairNodeWorkflow next = client.newWorkflowStub(RepairNodeWorkflow.class, nextId);
        RepairResult nextResult = WorkflowStub.fromTyped(next).getResultAsync(RepairResult.class)
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long nextMs = ms(t3);
        assertEquals(RepairOutcome.REBOOTED, nextResult.outcome(), nextResult.message());
        assertTrue(detector.isAlive(), "the detector survived the outage");
        assertEquals(detectorPid, detector.pid(), "the same detector process, never restarted");
        assertTrue(Files.readString(detector.log()).contains("repair of node " + later + " is running as"),
            "the detector started the repair of " + later);
        invariants.checker().assertNoBreach();
        System.out.printf("[temporal-restart] %s at %s (step %d): down in %d ms, ready again in %d ms, "
                + "repair %s %d ms later; worker pid %d throughout; node %s broken after the restart: its repair,"
                + " started by detector pid %d, %s %d ms after the break; %s%n", how, mid.phase(), mid.steps().size(),
            downMs, upMs, result.outcome(), restMs, workerPid, later, detectorPid, nextResult.outcome(), nextMs,
            workDir);
      }
    }
  }

  private static void awaitStarted(WorkflowClient client, String workflowId) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        client.newUntypedWorkflowStub(workflowId).describe();
        return;
      } catch (WorkflowNotFoundException | WorkflowServiceException notYet) {
        assertTrue(System.nanoTime() < deadline, "no repair " + workflowId + " within " + WAIT + ": " + notYet);
        Thread.sleep(200);
      }
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static RepairPolicy fastPolicy() {
    return new RepairPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), false, false, true,
        Duration.ofSeconds(20), true, Duration.ofSeconds(8), Duration.ofHours(1), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(5));
  }

  /** Breaks the first worker so that a reboot does not heal it, and starts its repair as the detector would. */
  private static RepairNodeWorkflow breakAndRepair(Simulator simulator, WorkflowClient client) throws Exception {
    String name = simulator.workerNodes().get(0);
    simulator.breakNode(name, NodeFault.BROKEN_UNTIL_REPLACED);
    simulator.nodes().awaitReadyStatus(name, "Unknown", WAIT);
    Node node = simulator.kubernetes().client().nodes().withName(name).get();
    RepairRequest request = new RepairRequest(simulator.cluster().name(), name,
        NodeFacts.serverId(node).orElseThrow(), NodeFacts.role(node), NodeFacts.nodegroup(node),
        NodeFacts.addresses(node), "NodeConditionCheck", "broken by the test", Instant.now(), fastPolicy());
    new RepairStarter(client).start(request);
    return client.newWorkflowStub(RepairNodeWorkflow.class, RepairIds.workflowId(request.cluster(), name));
  }

  private static RepairStatus awaitStatus(RepairNodeWorkflow repair, String what,
      java.util.function.Predicate<RepairStatus> done) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    RepairStatus status = repair.status();
    while (!done.test(status)) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; last status " + status);
      Thread.sleep(100);
      status = repair.status();
    }
    return status;
  }
}
