package io.autohealer.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays recorded histories against the current implementation: a change to the workflow that
 * would break running repairs fails here. Record new histories with
 * {@code mvn -pl workflows test -Dtest=RepairNodeWorkflowReplayTest -DrecordHistories=true}.
 */
class RepairNodeWorkflowReplayTest {
  static final Path RECORDED = Path.of("src/test/resources/histories");

  @RegisterExtension
  static final TestWorkflowExtension temporal =
      RepairNodeWorkflowTest.registerSearchAttributes(TestWorkflowExtension.newBuilder())
          .setWorkflowTypes(RepairNodeWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  final FakeCluster cluster = new FakeCluster();

  @BeforeEach
  void start(TestWorkflowEnvironment env, Worker worker) {
    worker.registerActivitiesImplementations(cluster);
    env.start();
  }

  static Stream<String> recordedHistories() throws IOException {
    try (Stream<Path> files = Files.list(RECORDED)) {
      return files.map(f -> "histories/" + f.getFileName()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("recordedHistories")
  void recordedHistoryReplays(String resource) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(resource, RepairNodeWorkflowImpl.class);
  }

  @Test
  void recordedHistoriesExist() throws IOException {
    assertFalse(recordedHistories().toList().isEmpty(), "no recorded history under " + RECORDED);
  }

  @Test
  void freshRunReplays(WorkflowClient client, WorkflowOptions options) throws Exception {
    WorkflowExecutionHistory history = run(client, options, "replaced", false);
    WorkflowReplayer.replayWorkflowExecution(history, RepairNodeWorkflowImpl.class);
  }

  @Test
  @EnabledIfSystemProperty(named = "recordHistories", matches = "true")
  void record(WorkflowClient client, WorkflowOptions options) throws IOException {
    Files.createDirectories(RECORDED);
    for (boolean recovered : List.of(false, true)) {
      String name = recovered ? "recovered" : "replaced";
      WorkflowExecutionHistory history = run(client, options, name, recovered);
      Files.writeString(RECORDED.resolve(name + ".json"), history.toJson(true));
    }
  }

  private WorkflowExecutionHistory run(WorkflowClient client, WorkflowOptions options, String name,
      boolean recovered) {
    cluster.nodeReady = recovered;
    String id = "replay-" + name;
    RepairNodeWorkflow repair = client.newWorkflowStub(RepairNodeWorkflow.class,
        WorkflowOptions.newBuilder(options).setWorkflowId(id).build());
    RepairResult result = repair.repair(RepairNodeWorkflowTest.request(NodeRole.WORKER));
    assertEquals(recovered ? RepairOutcome.RECOVERED : RepairOutcome.REPLACED, result.outcome());
    return client.fetchHistory(id);
  }
}
