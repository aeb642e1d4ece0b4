package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The README's sandbox as tests: real worker and detector processes, the embedded Temporal server
 * and the simulated cluster, one scenario per path of the escalation ladder.
 */
class SandboxEndToEndTest {

  private record Run(Sandbox.Report report, String progress) {
    RepairResult only() {
      return report.results().get(report.broken().get(0));
    }

    long calls(String operation) {
      return report.openstackCalls().getOrDefault(operation, 0L);
    }
  }

  private static Run run(String name, Sandbox.Options options, Consumer<Sandbox.SandboxControl> control)
      throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Sandbox.Report report = new Sandbox(options.withTemporalPort(0),
        new PrintStream(progress, true, StandardCharsets.UTF_8), control).run();
    Run run = new Run(report, progress.toString(StandardCharsets.UTF_8));
    assertTrue(report.results().keySet().containsAll(report.broken()), "no result for every broken node:\n" + run.progress);
    assertEquals(report.expectedNodes(), report.readyNodes(), "Ready nodes at the end:\n" + run.progress);
    return run;
  }

  private static Sandbox.Options options(String name) {
    return Sandbox.Options.defaults(Path.of("target", "sandbox-e2e", name))
        .withTimings(Duration.ofSeconds(5), Duration.ofSeconds(170));
  }

  @Test
  void workerWhoseKubeletStoppedIsHealedByAReboot() throws Exception {
    Run run = run("reboot", options("reboot"), c -> {});

    assertEquals(RepairOutcome.REBOOTED, run.only().outcome(), run.progress);
    assertEquals(1, run.calls("nova.server.reboot"));
    assertEquals(0, run.calls("magnum.resize"));
    assertTrue(run.progress.contains("AWAITING_READY_AFTER_REBOOT"), run.progress);
  }

  @Test
  void workerThatARebootCannotHealIsReplacedWithExactlyOneResize() throws Exception {
    Run run = run("replace", options("replace").withBroken(1, 0, NodeFault.BROKEN_UNTIL_REPLACED), c -> {});

    assertEquals(RepairOutcome.REPLACED, run.only().outcome(), run.progress);
    assertEquals(1, run.calls("magnum.resize"), "exactly one resize");
    for (String phase : new String[] {"DRAINING", "SHUTTING_OFF", "REPLACING", "AWAITING_REJOIN"}) {
      assertTrue(run.progress.contains(phase), "progress shows " + phase + ":\n" + run.progress);
    }
  }

  @Test
  void brokenMasterIsRebuiltThroughOneStackUpdate() throws Exception {
    Run run = run("master", options("master").withBroken(0, 1, NodeFault.BROKEN_UNTIL_REPLACED), c -> {});

    assertEquals(RepairOutcome.REBUILT, run.only().outcome(), run.progress);
    assertEquals(1, run.calls("heat.stack.update"), "exactly one stack update");
    assertEquals(0, run.calls("magnum.resize"));
  }

  @Test
  void repairWaitsForApprovalAndThenHeals() throws Exception {
    Run run = run("approval", options("approval").withApproval(true), control -> {
      String id = RepairIds.workflowId(control.cluster(), control.broken().get(0));
      new Thread(() -> approveWhenAsked(control, id), "approver").start();
    });

    assertEquals(RepairOutcome.REBOOTED, run.only().outcome(), run.progress);
    assertTrue(run.progress.contains("AWAITING_APPROVAL"), run.progress);
  }

  /** An operator who approves once the repair asks for it. */
  private static void approveWhenAsked(Sandbox.SandboxControl control, String workflowId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        RepairNodeWorkflow repair = control.client().newWorkflowStub(RepairNodeWorkflow.class, workflowId);
        if (repair.status().awaitingApproval()) {
          repair.approve(new OperatorRequest("e2e-test", "checked"));
          return;
        }
      } catch (RuntimeException notStartedYet) {
        // the detector has not started the repair yet
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
