package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's sandbox as a test: real worker and detector processes, the embedded Temporal
 * server and the simulated cluster; one worker's kubelet stops and the node is replaced.
 */
class SandboxEndToEndTest {

  @Test
  void brokenWorkerIsReplacedEndToEnd() throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Sandbox.Options options = new Sandbox.Options(0, Simulator.Options.defaults(), 1,
        Duration.ofSeconds(5), Duration.ofSeconds(150), Path.of("target", "sandbox-e2e"));

    Sandbox.Report report = new Sandbox(options, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

    String shown = progress.toString(StandardCharsets.UTF_8);
    String node = report.broken().get(0);
    RepairResult result = report.results().get(node);
    assertTrue(result != null, "no repair result for " + node + "; progress:\n" + shown);
    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertEquals(6, report.readyNodes(), "Ready nodes at the end; progress:\n" + shown);
    assertTrue(report.success(), shown);
    assertEquals(1L, report.openstackCalls().getOrDefault("magnum.resize", 0L), "exactly one resize");
    for (String phase : new String[] {"CORDONING", "SHUTTING_OFF", "REPLACING", "AWAITING_REJOIN"}) {
      assertTrue(shown.contains(phase), "progress shows " + phase + ":\n" + shown);
    }
  }
}
