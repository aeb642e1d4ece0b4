package io.autohealer.simulator.webui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.NodeFacts;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.realtemporal.RealTemporal;
import io.autohealer.simulator.realtemporal.TemporalDevServer;
import io.autohealer.simulator.sandbox.SandboxTestConfig;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.worker.RepairWorker;
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
import io.temporal.client.WorkflowStub;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What an operator sees of a repair in the Temporal Web UI, in a real browser (Debian's Chromium,
 * headless, through Selenium): the repair found in the workflow list by a search-attribute query,
 * its page with the static summary (cluster, node, why), the current details (phase, what it waits
 * for), the activity and timer summaries on the timeline, and the outcome once it ended.
 *
 * <p>The cluster is mid-upgrade (Magnum UPDATE_IN_PROGRESS), so the repair waits at its gate on a
 * durable timer with a summary; the test then lets the upgrade finish and the reboot heal the node.
 * Screenshots go to {@code target/ui-screenshots/}.
 */
@RealTemporal
@ExtendWith(Chromium.class)
class RepairInWebUiTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Path SHOTS = Path.of("target", "ui-screenshots");

  @Test
  void operatorFindsTheRepairBySearchAttributesAndSeesSummaryDetailsStepsAndOutcome(TemporalDevServer server)
      throws Exception {
    Files.createDirectories(SHOTS);
    Path workDir = Path.of("target", "web-ui", "repair-" + System.currentTimeMillis());
    try (Simulator simulator = Simulator.start(Simulator.Options.defaults(), Duration.ofMinutes(1))) {
      simulator.cluster().setStatus("UPDATE_IN_PROGRESS", "an upgrade");
      Path config = SandboxTestConfig.write(workDir, simulator, server.target());
      WorkflowClient client = server.newWorkflowClient();
      try (RepairWorker worker = RepairWorker.start(ConfigLoader.load(config), false)) {
        String node = simulator.workerNodes().get(0);
        RepairNodeWorkflow repair = breakAndRepair(simulator, client, node);
        String id = RepairIds.workflowId("k8s", node);
        awaitStatus(repair, "the gate looked at twice", s -> s.steps().stream()
            .anyMatch(step -> step.phase() == RepairPhase.GATED && step.attempts() >= 2));

        long browserStarted = System.nanoTime();
        ChromeDriver browser = Chromium.start();
        try {
          // The workflow list, filtered by a search-attribute query, as an operator would type it.
          String query = URLEncoder.encode("RepairCluster=\"k8s\" AND RepairNode=\"" + node + "\"",
              StandardCharsets.UTF_8).replace("+", "%20");
          browser.get(server.uiUrl() + "/namespaces/default/workflows?query=" + query);
          By link = By.cssSelector("a[href*='/workflows/" + id + "/']");
          WebElement row = until(browser, "the repair in the filtered list", d -> d.findElements(link).stream()
              .filter(WebElement::isDisplayed).findFirst().orElse(null));
          assertTrue(body(browser).contains("Running"), body(browser));
          shot(browser, "1-workflow-list-filtered");

          row.click();
          until(browser, "the workflow page", d -> body(d).contains("RepairNodeWorkflow") && body(d).contains(id));
          // Timeline (the default tab): readable activity summaries and the gate's timer summary.
          until(browser, "activity summaries on the timeline",
              d -> body(d).contains("Check gate of cluster k8s") && body(d).contains("Gate closed: "));
          String timeline = body(browser);
          assertTrue(timeline.contains("InspectNode • Verify " + node + " is still unhealthy"), timeline);
          assertTrue(timeline.contains("CheckGate • Check gate of cluster k8s"), timeline);
          assertTrue(timeline.contains("Gate closed: cluster k8s is UPDATE_IN_PROGRESS"), "the timer's summary:\n" + timeline);
          assertTrue(timeline.contains("RUNNING"), timeline);
          shot(browser, "2-running-timeline");

          // User Metadata: the static summary and the current details, rendered Markdown in iframes.
          browser.findElement(By.xpath("//*[normalize-space(text())='User Metadata']")).click();
          String summary = frameText(browser, "user-metadata-summary");
          assertTrue(summary.contains("Repair worker node " + node + " of cluster k8s: broken by the test"), summary);
          String details = frameText(browser, "user-metadata-current-details");
          assertTrue(details.contains("Phase: GATED"), details);
          assertTrue(details.contains("Gate closed: ") && details.contains("looking again in"), details);
          shot(browser, "3-running-user-metadata");

          // The upgrade ends: the repair goes on, reboots the node and ends.
          simulator.cluster().setStatus("UPDATE_COMPLETE", null);
          RepairResult result = WorkflowStub.fromTyped(repair).getResultAsync(RepairResult.class)
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
          assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());

          // The page stays on its tab across a reload: User Metadata shows the outcome.
          browser.navigate().refresh();
          until(browser, "the page of the completed repair", d -> body(d).contains("COMPLETED"));
          String outcome = frameText(browser, "user-metadata-current-details");
          assertTrue(outcome.contains("Outcome: REBOOTED") && outcome.contains("made " + node + " Ready again"),
              outcome);
          shot(browser, "4-completed-user-metadata");
          browser.findElement(By.xpath("//*[normalize-space(text())='Timeline']")).click();
          until(browser, "the reboot on the timeline", d -> body(d).contains("Soft reboot "));
          shot(browser, "5-completed-timeline");
          System.out.printf("[web-ui] %s: the browser part took %d ms; screenshots in %s%n", id,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - browserStarted), SHOTS.toAbsolutePath());
        } catch (AssertionError | RuntimeException e) {
          shot(browser, "failed");
          Files.writeString(SHOTS.resolve("failed.html"), browser.getPageSource());
          throw e;
        } finally {
          browser.quit();
        }
      }
    }
  }

  private static String body(WebDriver browser) {
    return browser.findElement(By.tagName("body")).getText();
  }

  /** The text of the Markdown that the UI renders in the iframe with this id, once it has some. */
  private static String frameText(WebDriver browser, String frameId) {
    return until(browser, "the iframe " + frameId, d -> {
      List<WebElement> frames = d.findElements(By.id(frameId));
      if (frames.isEmpty()) {
        return null;
      }
      try {
        d.switchTo().frame(frames.get(0));
        String text = body(d).replaceAll("\\s+", " ").trim();
        return text.isEmpty() ? null : text;
      } finally {
        d.switchTo().defaultContent();
      }
    });
  }

  private static <T> T until(WebDriver browser, String what, java.util.function.Function<WebDriver, T> found) {
    return new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(250))
        .withMessage(() -> "waiting for " + what)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(found::apply);
  }

  private static void shot(ChromeDriver browser, String name) throws Exception {
    Path file = SHOTS.resolve(name + ".png");
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  private static RepairPolicy fastPolicy() {
    return new RepairPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), false, false, true,
        Duration.ofSeconds(20), true, Duration.ofSeconds(8), Duration.ofHours(1), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(5));
  }

  private static RepairNodeWorkflow breakAndRepair(Simulator simulator, WorkflowClient client, String name)
      throws Exception {
    simulator.breakNode(name, NodeFault.KUBELET_STOPPED);
    simulator.nodes().awaitReadyStatus(name, "Unknown", WAIT);
    Node node = simulator.kubernetes().client().nodes().withName(name).get();
    RepairRequest request = new RepairRequest(simulator.cluster().name(), name,
        NodeFacts.serverId(node).orElseThrow(), NodeFacts.role(node), NodeFacts.nodegroup(node),
        NodeFacts.addresses(node), "NodeConditionCheck", "broken by the test", Instant.now(), fastPolicy());
    new RepairStarter(client).start(request);
    return client.newWorkflowStub(RepairNodeWorkflow.class, RepairIds.workflowId(request.cluster(), name));
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
}
