package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.realtemporal.RealTemporal;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/sandbox --real-temporal}: the README's scenario on the Temporal CLI's dev server, with
 * its db file in the work dir, a worker without {@code --test-server} and the Web UI link of each
 * repair printed as it starts.
 */
@RealTemporal
class SandboxRealTemporalTest {

  @Test
  void rebootScenarioRunsOnTheDevServerAndPrintsTheWebUiLinkOfTheRepair() throws Exception {
    Path workDir = Path.of("target", "sandbox-real-temporal", "reboot-" + System.currentTimeMillis());
    Sandbox.Options options = Sandbox.Options.defaults(workDir).withTemporalPort(0).withRealTemporal(0)
        .withTimings(Duration.ofSeconds(5), Duration.ofSeconds(170));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Sandbox.Report report = new Sandbox(options, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

    String progress = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(report.success(), progress);
    String node = report.broken().get(0);
    RepairResult result = report.results().get(node);
    assertEquals(RepairOutcome.REBOOTED, result.outcome(), progress);
    assertTrue(progress.contains("Temporal dev server at 127.0.0.1:"), progress);
    Matcher ui = Pattern.compile("Web UI (http://127\\.0\\.0\\.1:\\d+)").matcher(progress);
    assertTrue(ui.find(), "the UI URL at start:\n" + progress);
    String link = ui.group(1) + "/namespaces/default/workflows/" + RepairIds.workflowId("k8s", node);
    assertTrue(progress.contains("started: " + link), "the repair's Web UI link " + link + ":\n" + progress);
    assertTrue(progress.indexOf(link) < progress.indexOf("AWAITING_READY_AFTER_REBOOT"),
        "the link comes as the repair starts:\n" + progress);
    assertTrue(Files.size(workDir.resolve("temporal.db")) > 0, "the db file is in the work dir");
    System.out.println(progress);
  }

  @Test
  void workerRunsWithStickyQueuesOnTheDevServerAndWithoutOnTheTestServer() {
    Path config = Path.of("config.yaml");
    SandboxTemporal devServer = new SandboxTemporalStub(false);
    SandboxTemporal testServer = new SandboxTemporalStub(true);

    assertEquals(java.util.List.of("--config", "config.yaml", "--metrics-port", "0"),
        Sandbox.workerArgs(config, devServer));
    assertTrue(Sandbox.workerArgs(config, testServer).contains("--test-server"));
  }

  private record SandboxTemporalStub(boolean isTestServer) implements SandboxTemporal {
    @Override
    public String target() {
      return "127.0.0.1:1";
    }

    @Override
    public String namespace() {
      return "default";
    }

    @Override
    public java.util.Optional<String> workflowUrl(String workflowId) {
      return java.util.Optional.empty();
    }

    @Override
    public String describe() {
      return "stub";
    }

    @Override
    public void close() {}
  }
}
