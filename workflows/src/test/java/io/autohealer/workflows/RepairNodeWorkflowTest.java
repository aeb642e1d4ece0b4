package io.autohealer.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RepairNodeWorkflowTest {
  static final String CLUSTER = "c418";

  @RegisterExtension
  static final TestWorkflowExtension temporal = registerSearchAttributes(TestWorkflowExtension.newBuilder())
      .setWorkflowTypes(RepairNodeWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final FakeCluster cluster = new FakeCluster();

  static TestWorkflowExtension.Builder registerSearchAttributes(TestWorkflowExtension.Builder builder) {
    RepairSearchAttributes.ALL.forEach(
        key -> builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    return builder;
  }

  static RepairRequest request(NodeRole role) {
    return new RepairRequest(CLUSTER, "w-1", "0f6c1c0e-2b7e-4c1e-9d55-6f3f5a3f2a11", role, null,
        List.of("10.0.0.11"), "NodeConditionCheck", "Ready=Unknown for 1m",
        Instant.parse("2026-11-25T00:00:00Z"), RepairPolicy.defaults());
  }

  @BeforeEach
  void start(TestWorkflowEnvironment env, Worker worker) {
    worker.registerActivitiesImplementations(cluster);
    env.start();
  }

  RepairNodeWorkflow newRepair(WorkflowClient client, WorkflowOptions options) {
    return client.newWorkflowStub(RepairNodeWorkflow.class, WorkflowOptions.newBuilder(options)
        .setWorkflowId(RepairIds.workflowId(CLUSTER, "w-1"))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(RepairSearchAttributes.CLUSTER, CLUSTER)
            .set(RepairSearchAttributes.NODE, "w-1")
            .build())
        .build());
  }

  @Test
  void unhealthyWorkerIsReplacedStepByStep(WorkflowClient client, WorkflowOptions options) {
    RepairNodeWorkflow repair = newRepair(client, options);

    RepairResult result = repair.repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertEquals(List.of(
        "inspect w-1", "cordon w-1", "shutOff 0f6c1c0e-2b7e-4c1e-9d55-6f3f5a3f2a11",
        "resize 0f6c1c0e-2b7e-4c1e-9d55-6f3f5a3f2a11", "awaitUpdate c418",
        "awaitRejoin default-worker 3", "delete w-1"), cluster.calls);
    assertEquals(List.of("w-2", "w-3", "w-4"), result.replacementNodes());

    RepairStatus status = repair.status();
    assertEquals(RepairPhase.DONE, status.phase());
    assertEquals(7, status.steps().size());
    assertTrue(status.steps().stream().allMatch(s -> "done".equals(s.result()) && s.ended() != null));

    SearchAttributes attributes = WorkflowStub.fromTyped(repair).describe().getTypedSearchAttributes();
    assertEquals("DONE", attributes.get(RepairSearchAttributes.PHASE));
    assertEquals("REPLACED", attributes.get(RepairSearchAttributes.OUTCOME));
    assertEquals("w-1", attributes.get(RepairSearchAttributes.NODE));
  }

  @Test
  void nodeThatRecoveredIsLeftAlone(WorkflowClient client, WorkflowOptions options) {
    cluster.nodeReady = true;

    RepairResult result = newRepair(client, options).repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.RECOVERED, result.outcome());
    assertEquals(List.of("inspect w-1"), cluster.calls);
  }

  @Test
  void vanishedNodeChangesNothing(WorkflowClient client, WorkflowOptions options) {
    cluster.nodeExists = false;

    RepairResult result = newRepair(client, options).repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertEquals(List.of("inspect w-1"), cluster.calls);
  }

  @Test
  void rejectedResizeFailsWithReasonAndDeletesNothing(WorkflowClient client, WorkflowOptions options) {
    cluster.resizeRejected = true;
    RepairNodeWorkflow repair = newRepair(client, options);

    RepairResult result = repair.repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertTrue(result.message().contains("400 nodes_to_remove"), result.message());
    assertTrue(result.message().contains("REPLACING"), result.message());
    assertFalse(cluster.calls.contains("delete w-1"));
    assertEquals(1, cluster.calls.stream().filter(c -> c.startsWith("resize")).count(),
        "a permanent error is not retried");
    assertTrue(repair.status().lastError().contains("400 nodes_to_remove"));
  }

  @Test
  void transientErrorsAreRetriedWithBackoff(TestWorkflowEnvironment env, WorkflowClient client,
      WorkflowOptions options) {
    cluster.transientResizeErrors = 3;
    long before = env.currentTimeMillis();

    RepairResult result = newRepair(client, options).repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertTrue(env.currentTimeMillis() - before >= Duration.ofSeconds(1 + 2 + 4).toMillis(),
        "three retries back off 1s, 2s and 4s");
  }

  @Test
  void serverThatSurvivesTheUpdateKeepsItsNode(WorkflowClient client, WorkflowOptions options) {
    cluster.serverSurvivesUpdate = true;

    RepairResult result = newRepair(client, options).repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertFalse(cluster.calls.contains("delete w-1"));
    assertFalse(cluster.calls.stream().anyMatch(c -> c.startsWith("awaitRejoin")));
  }

  @Test
  void masterIsNotTouchedYet(WorkflowClient client, WorkflowOptions options) {
    RepairResult result = newRepair(client, options).repair(request(NodeRole.MASTER));

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertTrue(cluster.calls.isEmpty());
  }
}
