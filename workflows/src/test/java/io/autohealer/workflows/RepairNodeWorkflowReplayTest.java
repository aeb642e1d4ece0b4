package io.autohealer.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void aChangeThatBreaksDeterminismFailsReplay() {
    Exception failure = assertThrows(Exception.class, () ->
        WorkflowReplayer.replayWorkflowExecutionFromResource("histories/replaced.json", ChangedRepairWorkflow.class));
    assertTrue(chain(failure).contains("NonDeterministic"), chain(failure));
  }

  private static String chain(Throwable t) {
    StringBuilder names = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      names.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
    }
    return names.toString();
  }

  @Test
  void recordedHistoriesExist() throws IOException {
    assertFalse(recordedHistories().toList().isEmpty(), "no recorded history under " + RECORDED);
  }

  @Test
  void freshRunReplays(WorkflowClient client, WorkflowOptions options) throws Exception {
    WorkflowExecutionHistory history = run(client, options, Scenario.REPLACED);
    WorkflowReplayer.replayWorkflowExecution(history, RepairNodeWorkflowImpl.class);
  }

  @Test
  @EnabledIfSystemProperty(named = "recordHistories", matches = "true")
  void record(WorkflowClient client, WorkflowOptions options) throws IOException {
    Files.createDirectories(RECORDED);
    for (Scenario scenario : Scenario.values()) {
      WorkflowExecutionHistory history = run(client, options, scenario);
      Files.writeString(RECORDED.resolve(scenario.name().toLowerCase() + ".json"), history.toJson(true));
    }
  }

  /** The paths recorded: each ends with the outcome of its name. */
  enum Scenario {
    RECOVERED(NodeRole.WORKER, RepairOutcome.RECOVERED),
    REBOOTED(NodeRole.WORKER, RepairOutcome.REBOOTED),
    REPLACED(NodeRole.WORKER, RepairOutcome.REPLACED),
    FAILED(NodeRole.WORKER, RepairOutcome.FAILED),
    REBUILT(NodeRole.MASTER, RepairOutcome.REBUILT);

    final NodeRole role;
    final RepairOutcome outcome;

    Scenario(NodeRole role, RepairOutcome outcome) {
      this.role = role;
      this.outcome = outcome;
    }
  }

  private WorkflowExecutionHistory run(WorkflowClient client, WorkflowOptions options, Scenario scenario) {
    cluster.calls.clear();
    cluster.nodeReady = scenario == Scenario.RECOVERED;
    cluster.rebootHeals = scenario == Scenario.REBOOTED;
    cluster.resizeRejected = scenario == Scenario.FAILED;
    String id = "replay-" + scenario.name().toLowerCase();
    RepairNodeWorkflow repair = client.newWorkflowStub(RepairNodeWorkflow.class,
        WorkflowOptions.newBuilder(options).setWorkflowId(id).build());
    RepairResult result = repair.repair(RepairNodeWorkflowTest.request(scenario.role));
    assertEquals(scenario.outcome, result.outcome(), result.message());
    return client.fetchHistory(id);
  }
}
