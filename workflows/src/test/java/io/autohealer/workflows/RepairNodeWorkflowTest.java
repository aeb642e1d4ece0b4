package io.autohealer.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.activities.CloudActivities.GateResult;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RepairNodeWorkflowTest {
  static final String CLUSTER = "c418";
  static final String SERVER = "0f6c1c0e-2b7e-4c1e-9d55-6f3f5a3f2a11";

  @RegisterExtension
  static final TestWorkflowExtension temporal = registerSearchAttributes(TestWorkflowExtension.newBuilder())
      .setWorkflowTypes(RepairNodeWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final FakeCluster cluster = new FakeCluster();
  WorkflowClient client;
  WorkflowOptions options;

  static TestWorkflowExtension.Builder registerSearchAttributes(TestWorkflowExtension.Builder builder) {
    RepairSearchAttributes.ALL.forEach(
        key -> builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    return builder;
  }

  static RepairRequest request(NodeRole role) {
    return request(role, RepairPolicy.defaults());
  }

  static RepairRequest request(NodeRole role, RepairPolicy policy) {
    return new RepairRequest(CLUSTER, "w-1", SERVER, role, null,
        List.of("10.0.0.11"), "NodeConditionCheck", "Ready=Unknown for 1m",
        Instant.parse("2026-11-25T00:00:00Z"), policy);
  }

  static RepairPolicy approvalRequired() {
    RepairPolicy d = RepairPolicy.defaults();
    return new RepairPolicy(d.pollInterval(), d.gateRecheckInterval(), true, d.cordonMasters(), d.drain(),
        d.drainTimeout(), d.reboot(), d.rebuildDelayAfterReboot(), d.rebootCooldown(), d.shutOffTimeout(),
        d.csiDetachTimeout(), d.clusterUpdateTimeout(), d.rejoinTimeout());
  }

  @BeforeEach
  void start(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    worker.registerActivitiesImplementations(cluster);
    env.start();
    this.client = client;
    this.options = options;
  }

  RepairNodeWorkflow newRepair() {
    return client.newWorkflowStub(RepairNodeWorkflow.class, WorkflowOptions.newBuilder(options)
        .setWorkflowId(RepairIds.workflowId(CLUSTER, "w-1"))
        .setWorkflowExecutionTimeout(Duration.ofDays(2))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(RepairSearchAttributes.CLUSTER, CLUSTER)
            .set(RepairSearchAttributes.NODE, "w-1")
            .build())
        .build());
  }

  RepairResult repair(NodeRole role) {
    return newRepair().repair(request(role));
  }

  @Test
  void rebootThatHealsEndsRebootedAndUncordoned() {
    cluster.rebootHeals = true;

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());
    assertEquals(List.of("event RepairStarted", "inspect w-1", "gate c418", "cordon w-1", "drain w-1",
        "reboot " + SERVER, "annotate w-1 [autohealer.openstack.org/rebooted-at]", "awaitReady w-1",
        "uncordon w-1", "event RepairRebooted"), cluster.calls);
  }

  @Test
  void rebootThatDoesNotHelpEscalatesToReplacement() {
    RepairNodeWorkflow repair = newRepair();

    RepairResult result = repair.repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertEquals(List.of("event RepairStarted", "inspect w-1", "gate c418", "cordon w-1", "drain w-1",
        "reboot " + SERVER, "annotate w-1 [autohealer.openstack.org/rebooted-at]", "awaitReady w-1",
        "awaitCsiDetach w-1", "detach " + SERVER + " keep []", "shutOff " + SERVER, "resize " + SERVER,
        "awaitUpdate c418", "awaitRejoin default-worker 3", "delete w-1", "event RepairReplaced"), cluster.calls);
    assertEquals(List.of("w-2", "w-3", "w-4"), result.replacementNodes());

    RepairStatus status = repair.status();
    assertEquals(RepairPhase.DONE, status.phase());
    assertEquals(RepairOutcome.REPLACED, status.outcome());
    assertTrue(status.steps().stream().allMatch(s -> s.ended() != null), status.steps().toString());
    SearchAttributes attributes = WorkflowStub.fromTyped(repair).describe().getTypedSearchAttributes();
    assertEquals("DONE", attributes.get(RepairSearchAttributes.PHASE));
    assertEquals("REPLACED", attributes.get(RepairSearchAttributes.OUTCOME));
  }

  @Test
  void serverThatCannotRebootGoesStraightToRebuildAndIsNeverJustDeleted() {
    cluster.serverStatus = "SHUTOFF";

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertEquals(0, cluster.count("annotate w-1 [autohealer.openstack.org/rebooted-at]"));
    assertEquals(0, cluster.count("awaitReady"));
    assertTrue(cluster.calls.indexOf("resize " + SERVER) < cluster.calls.indexOf("delete w-1"));
  }

  @Test
  void nodeRebootedRecentlyIsRebuiltWithoutAnotherReboot(TestWorkflowEnvironment env) {
    cluster.rebootedAt = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofMinutes(20));

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.REPLACED, result.outcome());
    assertEquals(0, cluster.count("reboot"));
  }

  @Test
  void csiVolumesStillAttachedAreNeverForceDetached() {
    cluster.csiStillAttached = List.of("pvc-volume-1");

    repair(NodeRole.WORKER);

    assertTrue(cluster.calls.contains("detach " + SERVER + " keep [pvc-volume-1]"), cluster.calls.toString());
  }

  @Test
  void nodeThatRecoveredIsLeftAlone() {
    cluster.nodeReady = true;

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.RECOVERED, result.outcome());
    assertEquals(List.of("event RepairStarted", "inspect w-1", "event RepairRecovered"), cluster.calls);
  }

  @Test
  void closedGateIsWaitedOnDurablyAndLookedAtAgain(TestWorkflowEnvironment env) {
    cluster.gates.add(new GateResult(false, "cluster c418 is UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", null));
    cluster.gates.add(new GateResult(false, "label auto_healing_enabled is not true", "UPDATE_COMPLETE", null));
    long before = env.currentTimeMillis();
    RepairNodeWorkflow repair = newRepair();

    RepairResult result = repair.repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.REPLACED, result.outcome());
    assertEquals(3, cluster.count("gate"));
    assertEquals(3, cluster.count("inspect"), "the node is verified again after each wait");
    assertTrue(cluster.calls.indexOf("cordon w-1") > cluster.calls.lastIndexOf("gate c418"), "nothing acts while closed");
    assertTrue(env.currentTimeMillis() - before >= Duration.ofMinutes(2).toMillis(), "two durable waits of 1m");
    assertEquals(3, repair.status().steps().stream()
        .filter(s -> s.phase() == RepairPhase.GATED).mapToInt(RepairStatus.Step::attempts).max().orElse(0)
, "gate attempts counted on one step");
  }

  @Test
  void nodeThatRecoversWhileGatedEndsRecoveredWithNothingDone() {
    cluster.optedOut = true;
    RepairNodeWorkflow repair = newRepair();
    WorkflowClient.start(repair::repair, request(NodeRole.WORKER));
    awaitCall("inspect w-1", 1);

    cluster.nodeReady = true;
    RepairResult result = WorkflowStub.fromTyped(repair).getResult(RepairResult.class);

    assertEquals(RepairOutcome.RECOVERED, result.outcome());
    assertEquals(0, cluster.count("gate"), "an opted-out node is not even looked at in Magnum");
    assertEquals(0, cluster.count("cordon"));
  }

  @Test
  void approvalModeWaitsForApproveBeforeAnythingDestructive(TestWorkflowEnvironment env) {
    RepairNodeWorkflow repair = newRepair();
    WorkflowClient.start(repair::repair, request(NodeRole.WORKER, approvalRequired()));
    env.sleep(Duration.ofHours(2));

    assertTrue(repair.status().awaitingApproval());
    assertEquals(RepairPhase.AWAITING_APPROVAL, repair.status().phase());
    assertEquals(0, cluster.count("cordon"));

    repair.approve(new OperatorRequest("alice", "looked at it"));
    RepairResult result = WorkflowStub.fromTyped(repair).getResult(RepairResult.class);

    assertEquals(RepairOutcome.REPLACED, result.outcome());
    assertEquals(2, cluster.count("inspect"), "verified again after the approval");
  }

  @Test
  void pauseHoldsTheNextStepUntilResume(TestWorkflowEnvironment env) {
    RepairNodeWorkflow repair = newRepair();
    WorkflowClient.start(repair::repair, request(NodeRole.WORKER, approvalRequired()));
    env.sleep(Duration.ofMinutes(1));
    repair.pause(new OperatorRequest("bob", "maintenance window"));
    repair.approve(new OperatorRequest("alice", null));
    env.sleep(Duration.ofHours(1));

    RepairStatus paused = repair.status();
    assertTrue(paused.paused());
    assertEquals(RepairPhase.PAUSED, paused.phase());
    assertEquals(0, cluster.count("cordon"));

    repair.resume(new OperatorRequest("bob", null));
    RepairResult result = WorkflowStub.fromTyped(repair).getResult(RepairResult.class);

    assertEquals(RepairOutcome.REPLACED, result.outcome());
  }

  @Test
  void cancelBeforeCordonChangesNothing(TestWorkflowEnvironment env) {
    RepairNodeWorkflow repair = newRepair();
    WorkflowClient.start(repair::repair, request(NodeRole.WORKER, approvalRequired()));
    env.sleep(Duration.ofMinutes(5));

    repair.cancel(new OperatorRequest("alice", "false alarm"));
    RepairResult result = WorkflowStub.fromTyped(repair).getResult(RepairResult.class);

    assertEquals(RepairOutcome.CANCELLED, result.outcome());
    assertTrue(result.message().contains("alice (false alarm)"), result.message());
    assertEquals(0, cluster.count("cordon"));
    assertEquals(0, cluster.count("uncordon"));
    assertEquals(1, cluster.count("event RepairCancelled"));
  }

  @Test
  void cancelMidRepairUncordonsAHealthyNode() throws InterruptedException {
    cluster.releaseRejoin = new CountDownLatch(1);
    RepairNodeWorkflow repair = newRepair();
    WorkflowClient.start(repair::repair, request(NodeRole.WORKER));
    assertTrue(cluster.rejoinEntered.await(30, TimeUnit.SECONDS));

    cluster.nodeReady = true;
    repair.cancel(new OperatorRequest("alice", "rolled back"));
    RepairResult result = WorkflowStub.fromTyped(repair).getResult(RepairResult.class);
    cluster.releaseRejoin.countDown();

    assertEquals(RepairOutcome.CANCELLED, result.outcome(), result.message());
    assertTrue(result.message().contains("AWAITING_REJOIN"), result.message());
    assertEquals(1, cluster.count("uncordon w-1"));
    assertEquals(0, cluster.count("delete"));
  }

  @Test
  void permanentErrorFailsWithReasonAnnotatesAndDeletesNothing() {
    cluster.resizeRejected = true;
    RepairNodeWorkflow repair = newRepair();

    RepairResult result = repair.repair(request(NodeRole.WORKER));

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertTrue(result.message().contains("400 nodes_to_remove"), result.message());
    assertTrue(result.message().contains("REPLACING"), result.message());
    assertEquals(1, cluster.count("resize"), "a permanent error is not retried");
    assertEquals(0, cluster.count("delete"));
    assertEquals(0, cluster.count("uncordon"), "left cordoned");
    assertEquals(1, cluster.count("annotate w-1 [autohealer.openstack.org/repair-failed]"));
    assertEquals(1, cluster.count("event RepairFailed"));
    assertTrue(repair.status().lastError().contains("400 nodes_to_remove"));
  }

  @Test
  void transientErrorsAreRetriedWithBackoff(TestWorkflowEnvironment env) {
    cluster.transientResizeErrors = 3;
    long before = env.currentTimeMillis();

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertTrue(env.currentTimeMillis() - before >= Duration.ofSeconds(1 + 2 + 4).toMillis(),
        "three retries back off 1s, 2s and 4s");
  }

  @Test
  void serverThatSurvivesTheUpdateKeepsItsNode() {
    cluster.serverSurvivesUpdate = true;

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertEquals(0, cluster.count("delete"));
    assertEquals(0, cluster.count("awaitRejoin"));
  }

  @Test
  void workerServerThatWillNotStopIsStillReplaced() {
    cluster.shutOffTimesOut = true;

    RepairResult result = repair(NodeRole.WORKER);

    assertEquals(RepairOutcome.REPLACED, result.outcome(), result.message());
    assertEquals(0, cluster.count("forceDelete"));
  }

  @Test
  void masterIsRebuiltThroughHeatWhenQuorumAllows() {
    RepairResult result = repair(NodeRole.MASTER);

    assertEquals(RepairOutcome.REBUILT, result.outcome(), result.message());
    assertEquals(0, cluster.count("cordon"), "masters are not cordoned by default, as in Go");
    assertEquals(0, cluster.count("drain"));
    assertEquals(0, cluster.count("resize"));
    List<String> order = List.of("countMasters", "markUnhealthy " + SERVER, "shutOff " + SERVER,
        "updateStack c418", "awaitUpdate c418");
    int last = -1;
    for (String call : order) {
      int at = cluster.calls.indexOf(call);
      assertTrue(at > last, call + " in order: " + cluster.calls);
      last = at;
    }
    assertEquals(1, cluster.count("updateStack"));
  }

  @Test
  void masterWaitsWhileEtcdQuorumWouldBeLost(TestWorkflowEnvironment env) {
    cluster.mastersReady = 1;
    RepairNodeWorkflow repair = newRepair();
    WorkflowClient.start(repair::repair, request(NodeRole.MASTER));
    env.sleep(Duration.ofMinutes(10));

    assertEquals(RepairPhase.CHECKING_QUORUM, repair.status().phase());
    assertEquals(0, cluster.count("reboot"));
    assertEquals(0, cluster.count("markUnhealthy"));

    cluster.mastersReady = 2;
    RepairResult result = WorkflowStub.fromTyped(repair).getResult(RepairResult.class);
    assertEquals(RepairOutcome.REBUILT, result.outcome(), result.message());
  }

  @Test
  void singleMasterIsNeverRebuilt() {
    cluster.mastersTotal = 1;
    cluster.mastersReady = 0;

    RepairResult result = repair(NodeRole.MASTER);

    assertEquals(RepairOutcome.FAILED, result.outcome());
    assertTrue(result.message().contains("quorum"), result.message());
    assertEquals(0, cluster.count("reboot"));
    assertEquals(0, cluster.count("markUnhealthy"));
  }

  @Test
  void masterThatWillNotStopIsForceDeletedAfterBeingMarked() {
    cluster.shutOffTimesOut = true;

    RepairResult result = repair(NodeRole.MASTER);

    assertEquals(RepairOutcome.REBUILT, result.outcome(), result.message());
    assertTrue(cluster.calls.indexOf("markUnhealthy " + SERVER) < cluster.calls.indexOf("forceDelete " + SERVER));
  }

  private void awaitCall(String call, int times) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.count(call) < times) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + call + ": " + cluster.calls);
      Thread.onSpinWait();
    }
  }
}
