package io.autohealer.simulator.realtemporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.RepairSearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev server fixture against the real server: what the Java test server cannot do (visibility
 * queries on custom search attributes, the Web UI), and a repair that survives a SIGKILL of the
 * server.
 */
@RealTemporal
class TemporalDevServerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @WorkflowInterface
  public interface ProbeWorkflow {
    @WorkflowMethod
    String run(String node);

    @SignalMethod
    void finish(String note);
  }

  /** Waits for a signal, so that it is still running when the server is killed. */
  public static class ProbeWorkflowImpl implements ProbeWorkflow {
    private String note;

    @Override
    public String run(String node) {
      Workflow.await(() -> note != null);
      return node + ":" + note;
    }

    @Override
    public void finish(String note) {
      this.note = note;
    }
  }

  @Test
  void visibilityFindsWorkflowBySearchAttributeAndTheWorkflowSurvivesSigkill(
      TemporalDevServer server) throws Exception {
    WorkflowClient client = server.newWorkflowClient();
    WorkerFactory factory = WorkerFactory.newInstance(client);
    String queue = "devserver-test";
    factory.newWorker(queue).registerWorkflowImplementationTypes(ProbeWorkflowImpl.class);
    factory.start();
    try {
      String id = "repair-c1-w1";
      WorkflowExecution run = WorkflowClient.start(probe(client, queue, id, "c1", "w1")::run, "w1");
      String decoy = "repair-c2-w1";
      WorkflowClient.start(probe(client, queue, decoy, "c2", "w1")::run, "w1");

      // Visibility with custom search attributes: what the Java test server cannot do.
      assertEquals(List.of(id), awaitValue("RepairCluster='c1' lists " + id,
          () -> workflowIds(client, "RepairCluster='c1'"), ids -> ids.contains(id)));
      // Visibility is eventually consistent: each query is awaited, not asked once.
      String decoyQuery = "RepairNode='w1' AND RepairCluster='c2' AND RepairPhase='VERIFY'";
      assertEquals(List.of(decoy), awaitValue(decoyQuery + " lists " + decoy,
          () -> workflowIds(client, decoyQuery), ids -> ids.contains(decoy)));
      assertEquals(2, awaitValue("both running", () -> workflowIds(client, "RepairOutcome='RUNNING'"),
          ids -> ids.size() == 2).size());

      // The Web UI serves the workflow's page and its API lists the workflow.
      assertEquals(server.uiUrl() + "/namespaces/default/workflows/" + id, server.workflowUrl(id));
      HttpClient http = HttpClient.newHttpClient();
      assertEquals(200, get(http, server.workflowUrl(id)).statusCode());
      HttpResponse<String> listed = get(http, server.uiUrl()
          + "/api/v1/namespaces/default/workflows?query="
          + URLEncoder.encode("RepairCluster='c1'", StandardCharsets.UTF_8));
      assertEquals(200, listed.statusCode(), listed.body());
      assertTrue(listed.body().contains(id), listed.body());
      assertFalse(listed.body().contains(decoy), listed.body());

      // SIGKILL, then a restart on the same db file and ports.
      String target = server.target();
      int uiPort = server.uiPort();
      long pidBefore = server.pid();
      server.kill();
      assertFalse(server.isRunning());
      server.restart();
      assertTrue(server.isRunning());
      assertNotEquals(pidBefore, server.pid());
      assertEquals(target, server.target());
      assertEquals(uiPort, server.uiPort());

      assertEquals(List.of(id), workflowIds(client, "RepairCluster='c1'"));
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
          client.newUntypedWorkflowStub(id).describe().getStatus());

      // The repair goes on: the worker reconnects and finishes it.
      client.newWorkflowStub(ProbeWorkflow.class, id).finish("after restart");
      String result = client.newUntypedWorkflowStub(id, java.util.Optional.of(run.getRunId()),
          java.util.Optional.empty()).getResult(60, TimeUnit.SECONDS, String.class);
      assertEquals("w1:after restart", result);
      assertEquals(List.of(id), awaitValue("the completed repair is listed",
          () -> workflowIds(client, "RepairCluster='c1' AND ExecutionStatus='Completed'"),
          ids -> !ids.isEmpty()));
      client.newUntypedWorkflowStub(decoy).terminate("test done");
    } finally {
      factory.shutdownNow();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void registersSearchAttributesMissingFromAnExistingDbFile(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("old.db");
    try (TemporalDevServer old = TemporalDevServer.builder().headless(true).dbFile(db)
        .searchAttributes(List.of(RepairSearchAttributes.CLUSTER)).start()) {
      assertEquals(1, old.searchAttributes().size());
    }
    // The dev server ignores --search-attribute for a db it did not create; the fixture adds them.
    try (TemporalDevServer server = TemporalDevServer.builder().headless(true).dbFile(db).start()) {
      WorkflowClient client = server.newWorkflowClient();
      String id = "repair-c9-w9";
      WorkflowClient.start(probe(client, "nobody-polls", id, "c9", "w9")::run, "w9");
      assertEquals(List.of(id), awaitValue("RepairFailedCheck lists " + id,
          () -> workflowIds(client, "RepairFailedCheck='NodeCondition' AND RepairNode='w9'"),
          ids -> !ids.isEmpty()));
      client.newUntypedWorkflowStub(id).terminate("test done");
    }
  }

  @Test
  void aServerThatExitsAtStartIsReportedWithItsLog(@TempDir Path dir) {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TemporalDevServer.builder().headless(true).workDir(dir)
            .dynamicConfig("frontend.someKey", "not-json").start());
    assertTrue(e.getMessage().contains("exited with code 1"), e.getMessage());
    assertTrue(e.getMessage().contains("invalid dynamic config values"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("temporal-dev.log").toString()), e.getMessage());
  }

  private static ProbeWorkflow probe(WorkflowClient client, String queue, String id,
      String cluster, String node) {
    SearchAttributes attributes = SearchAttributes.newBuilder()
        .set(RepairSearchAttributes.CLUSTER, cluster)
        .set(RepairSearchAttributes.NODE, node)
        .set(RepairSearchAttributes.ROLE, "WORKER")
        .set(RepairSearchAttributes.PHASE, "VERIFY")
        .set(RepairSearchAttributes.OUTCOME, RepairSearchAttributes.OUTCOME_RUNNING)
        .set(RepairSearchAttributes.FAILED_CHECK, "NodeCondition")
        .build();
    return client.newWorkflowStub(ProbeWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue(queue)
        .setTypedSearchAttributes(attributes)
        .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
        .build());
  }

  private static List<String> workflowIds(WorkflowClient client, String query) {
    return client.listExecutions(query)
        .map(WorkflowExecutionMetadata::getExecution)
        .map(WorkflowExecution::getWorkflowId)
        .sorted()
        .collect(Collectors.toList());
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until {@code done} holds (visibility is eventually consistent), at most {@link #WAIT}. */
  private static <T> T awaitValue(String what, Supplier<T> value, Predicate<T> done)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    T last = value.get();
    while (!done.test(last)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + WAIT.toSeconds() + "s: " + what + "; last: " + last);
      }
      Thread.sleep(100);
      last = value.get();
    }
    return last;
  }
}
