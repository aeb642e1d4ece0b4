package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairSearchAttributes;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnableKubernetesMockClient(crud = true)
class DetectorTest {
  private static final String CLUSTER = "c418c335-0e52-42fc-bd68-baa8d264e072";
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Ticks never matter here: node events and re-checks at the due time drive detection. */
  private static final String BASE_CONFIG =
      """
      cluster-name: %s
      monitor-interval: 1h
      check-delay-after-add: 0s
      leader-elect: false
      healthcheck:
        master:
          - type: NodeCondition
            params: {unhealthy-duration: 1m}
        worker:
          - type: NodeCondition
            params: {unhealthy-duration: 1m}
      repair:
        poll-interval: 1s
      """
          .formatted(CLUSTER);

  @RegisterExtension
  static final TestWorkflowExtension temporal = testWorkflowExtension();

  static KubernetesClient client;

  private final BlockingQueue<Evaluation> evaluations = new LinkedBlockingQueue<>();
  private final List<Detector> detectors = new ArrayList<>();
  private WorkflowClient workflowClient;

  record Evaluation(String node, Verdict verdict, Decision decision) {}

  private static TestWorkflowExtension testWorkflowExtension() {
    // Time skipping stays on: the stand-in repair has no timers, and with it off the extension's
    // double close of the environment fails on JUnit 5.13+ (it also auto-closes store values).
    TestWorkflowExtension.Builder builder = TestWorkflowExtension.newBuilder().setDoNotStart(true);
    for (var key : RepairSearchAttributes.ALL) {
      builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    return builder.build();
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env) {
    // A plain client, as in production: the test environment's own client adds time-locking
    // interceptors that do not balance for getResultAsync (temporalio/sdk-java#1243).
    this.workflowClient =
        WorkflowClient.newInstance(
            env.getWorkflowServiceStubs(), WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace()).build());
    env.newWorker(RepairIds.taskQueue(CLUSTER)).registerWorkflowImplementationTypes(RecordingRepairWorkflow.class);
    env.start();
    RecordingRepairWorkflow.STARTED.clear();
    client.nodes().delete();
    client.v1().events().inNamespace("default").delete();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Detector detector : detectors) {
      stop(detector);
    }
    // Running repairs keep result long-polls open, which would hold up the environment's close.
    for (String workflowId : RecordingRepairWorkflow.WORKFLOW_IDS) {
      try {
        workflowClient.newUntypedWorkflowStub(workflowId).terminate("test over");
      } catch (WorkflowNotFoundException | WorkflowServiceException e) {
        // Already closed.
      }
    }
    RecordingRepairWorkflow.WORKFLOW_IDS.clear();
  }

  /**
   * Closes a detector once its Node watch has delivered everything: fabric8's mock server stalls
   * its event loop for up to a minute when a watch closes with an event still to send.
   */
  private void stop(Detector detector) throws InterruptedException {
    if (!detector.ready()) {
      detector.close();
      return;
    }
    detector.awaitQuiet(WAIT);
    String fence = "fence-" + System.nanoTime();
    create(TestNodes.worker(fence, "True", Instant.now()).build());
    awaitEvaluation(fence, e -> true);
    detector.awaitQuiet(WAIT);
    detector.close();
  }

  private Detector startDetector(String extraConfig) {
    return startDetector(extraConfig, new RepairStarter(workflowClient));
  }

  /** The base config with its top-level lines replaced by those of {@code extra} (a key given twice is an error). */
  private static String withOverrides(String base, String extra) {
    List<String> keys = extra.lines().filter(l -> l.contains(":") && !l.startsWith(" "))
        .map(l -> l.substring(0, l.indexOf(':') + 1)).toList();
    return base.lines().filter(l -> keys.stream().noneMatch(l::startsWith))
        .collect(java.util.stream.Collectors.joining("\n", "", "\n")) + extra;
  }

  private Detector startDetector(String extraConfig, RepairStarter starter) {
    AutoHealerConfig config =
        ConfigLoader.builder().environment(k -> null).build().read(withOverrides(BASE_CONFIG, extraConfig), "test");
    HealthChecks checks = HealthCheckRegistry.load().build(config.healthCheck());
    Detector detector =
        new Detector(
            config, checks, client, starter, java.time.Clock.systemUTC(),
            (node, verdict, decision) -> evaluations.add(new Evaluation(node, verdict, decision)));
    detectors.add(detector);
    detector.start();
    return detector;
  }

  private Evaluation awaitEvaluation(String node, Predicate<Evaluation> matching) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (long left = WAIT.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Evaluation evaluation = evaluations.poll(left, TimeUnit.NANOSECONDS);
      if (evaluation != null && evaluation.node().equals(node) && matching.test(evaluation)) {
        return evaluation;
      }
    }
    throw new AssertionError("no matching evaluation of " + node + " within " + WAIT);
  }

  private RecordingRepairWorkflow.Run awaitRepairRun() throws InterruptedException {
    RecordingRepairWorkflow.Run run = RecordingRepairWorkflow.STARTED.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertNotNull(run, "no repair workflow ran within " + WAIT);
    return run;
  }

  private void assertNoRepairOf(String node) {
    assertTrue(RecordingRepairWorkflow.STARTED.isEmpty(), RecordingRepairWorkflow.STARTED::toString);
    assertThrows(
        WorkflowNotFoundException.class,
        () -> workflowClient.newUntypedWorkflowStub(RepairIds.workflowId(CLUSTER, node)).describe());
  }

  private static Instant ago(Duration duration) {
    return Instant.now().minus(duration);
  }

  private static void create(Node node) {
    client.nodes().resource(node).create();
  }

  @Test
  void unhealthyWorkerGetsExactlyOneRepair() throws InterruptedException {
    RepairStarter starter = new RepairStarter(workflowClient);
    startDetector("", starter);
    create(TestNodes.worker("k8s-node-1", "False", ago(Duration.ofMinutes(10))).build());

    Evaluation started = awaitEvaluation("k8s-node-1", e -> e.decision() == Decision.REPAIR_STARTED);
    RecordingRepairWorkflow.Run run = awaitRepairRun();

    String workflowId = RepairIds.workflowId(CLUSTER, "k8s-node-1");
    assertEquals(workflowId, run.workflowId());
    RepairRequest request = run.request();
    assertEquals(CLUSTER, request.cluster());
    assertEquals("k8s-node-1", request.node());
    assertEquals(TestNodes.SERVER_ID, request.serverId());
    assertEquals(NodeRole.WORKER, request.role());
    assertEquals("default-worker", request.nodegroup());
    assertEquals(List.of("10.0.10.34", "k8s-node-1"), request.nodeAddresses());
    assertEquals("NodeConditionCheck", request.failedCheck());
    assertTrue(request.reason().startsWith("NodeCondition Ready=False for 10m"), request.reason());
    assertEquals(Duration.ofSeconds(1), request.policy().pollInterval());
    assertInstanceOf(Verdict.Unhealthy.class, started.verdict());

    WorkflowExecutionDescription description = workflowClient.newUntypedWorkflowStub(workflowId).describe();
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, description.getStatus());
    assertEquals(RepairIds.taskQueue(CLUSTER), description.getTaskQueue());
    assertEquals(request.summary(), description.getStaticSummary());
    SearchAttributes attributes = description.getTypedSearchAttributes();
    assertEquals(CLUSTER, attributes.get(RepairSearchAttributes.CLUSTER));
    assertEquals("k8s-node-1", attributes.get(RepairSearchAttributes.NODE));
    assertEquals("WORKER", attributes.get(RepairSearchAttributes.ROLE));
    assertEquals("VERIFYING", attributes.get(RepairSearchAttributes.PHASE));
    assertEquals(RepairSearchAttributes.OUTCOME_RUNNING, attributes.get(RepairSearchAttributes.OUTCOME));
    assertEquals("NodeConditionCheck", attributes.get(RepairSearchAttributes.FAILED_CHECK));

    // A second detection while the repair runs: this process knows it runs, and does not start again.
    client.nodes().withName("k8s-node-1").edit(n -> TestNodes.relabel(n, "touched", "1"));
    awaitEvaluation("k8s-node-1", e -> e.decision() == Decision.REPAIR_RUNNING);
    assertEquals(run.runId(), starter.runId(CLUSTER, "k8s-node-1").orElseThrow());
    assertTrue(RecordingRepairWorkflow.STARTED.isEmpty());
  }

  @Test
  void restartedDetectorAttachesToTheRunningRepair() throws InterruptedException {
    startDetector("");
    create(TestNodes.worker("k8s-node-1", "Unknown", ago(Duration.ofMinutes(5))).build());
    RecordingRepairWorkflow.Run first = awaitRepairRun();
    awaitEvaluation("k8s-node-1", e -> e.decision() == Decision.REPAIR_STARTED);

    // A new detector (a restart, or a new leader) finds the running repair in Temporal.
    stop(detectors.get(0));
    evaluations.clear();
    RepairStarter fresh = new RepairStarter(workflowClient);
    startDetector("", fresh);
    awaitEvaluation("k8s-node-1", e -> e.decision() == Decision.REPAIR_RUNNING);

    assertEquals(first.runId(), fresh.runId(CLUSTER, "k8s-node-1").orElseThrow());
    assertEquals(
        first.runId(),
        workflowClient.newUntypedWorkflowStub(first.workflowId()).describe().getExecution().getRunId());
  }

  @Test
  void aClosedRepairLetsANewOneStart() throws InterruptedException {
    RepairStarter starter = new RepairStarter(workflowClient);
    startDetector("repair-cooldown: 0s\n", starter);
    create(TestNodes.worker("k8s-node-1", "False", ago(Duration.ofMinutes(10))).build());
    RecordingRepairWorkflow.Run first = awaitRepairRun();

    workflowClient.newUntypedWorkflowStub(first.workflowId()).signal("release");
    workflowClient.newUntypedWorkflowStub(first.workflowId()).getResult(Object.class);
    // The node is still broken; the next detection after the close starts a new repair.
    client.nodes().withName("k8s-node-1").edit(n -> TestNodes.relabel(n, "touched", "1"));
    RecordingRepairWorkflow.Run second = awaitRepairRunAfterClose(starter);

    assertEquals(first.workflowId(), second.workflowId());
    assertNotEquals(first.runId(), second.runId());
  }

  /** The starter learns of the close asynchronously: touch the node until it starts a new run. */
  private RecordingRepairWorkflow.Run awaitRepairRunAfterClose(RepairStarter starter) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int touch = 0;
    while (System.nanoTime() < deadline) {
      RecordingRepairWorkflow.Run run = RecordingRepairWorkflow.STARTED.poll(200, TimeUnit.MILLISECONDS);
      if (run != null) {
        return run;
      }
      String value = String.valueOf(++touch);
      client.nodes().withName("k8s-node-1").edit(n -> TestNodes.relabel(n, "touched", value));
    }
    throw new AssertionError("no new repair after the first one closed");
  }

  @Test
  void youngNodeIsNotRepaired() throws InterruptedException {
    startDetector("check-delay-after-add: 10m\n");
    create(TestNodes.worker("k8s-node-2", "False", ago(Duration.ofHours(1))).build());

    Evaluation evaluation = awaitEvaluation("k8s-node-2", e -> true);

    assertInstanceOf(Verdict.Young.class, evaluation.verdict());
    assertEquals(Decision.NONE, evaluation.decision());
    assertNoRepairOf("k8s-node-2");
  }

  @Test
  void healthyNodeIsNotRepaired() throws InterruptedException {
    startDetector("");
    create(TestNodes.worker("k8s-node-3", "True", ago(Duration.ofHours(1))).build());

    Evaluation evaluation = awaitEvaluation("k8s-node-3", e -> true);

    assertInstanceOf(Verdict.Healthy.class, evaluation.verdict());
    assertNoRepairOf("k8s-node-3");
  }

  @Test
  void dryRunStartsNothing() throws InterruptedException {
    startDetector("dry-run: true\n");
    create(TestNodes.worker("k8s-node-4", "False", ago(Duration.ofMinutes(10))).build());

    awaitEvaluation("k8s-node-4", e -> e.decision() == Decision.DRY_RUN);
    assertNoRepairOf("k8s-node-4");
  }

  @Test
  void unhealthyMasterGetsARepairOfRoleMaster() throws InterruptedException {
    startDetector("", new RepairStarter(workflowClient));
    create(TestNodes.master("k8s-master-0", "False", ago(Duration.ofMinutes(10))).build());

    awaitEvaluation("k8s-master-0", e -> e.decision() == Decision.REPAIR_STARTED);
    RecordingRepairWorkflow.Run run = awaitRepairRun();

    assertEquals(RepairIds.workflowId(CLUSTER, "k8s-master-0"), run.workflowId());
    assertEquals(NodeRole.MASTER, run.request().role());
  }

  @Test
  void detectsWhenTheUnhealthyDurationElapsesWithoutWaitingForATick() throws InterruptedException {
    startDetector("");
    // Bad for 59.5s of the 1m: pending now, failing in half a second; the tick is an hour away.
    create(TestNodes.worker("k8s-node-5", "False", ago(Duration.ofMillis(59_500))).build());

    Evaluation first = awaitEvaluation("k8s-node-5", e -> true);
    assertInstanceOf(Verdict.Pending.class, first.verdict());
    awaitEvaluation("k8s-node-5", e -> e.decision() == Decision.REPAIR_STARTED);
    assertEquals("k8s-node-5", awaitRepairRun().request().node());
  }

  @Test
  void nodeThatTurnsBadIsDetectedOnItsUpdate() throws InterruptedException {
    startDetector("");
    create(TestNodes.worker("k8s-node-6", "True", ago(Duration.ofHours(1))).build());
    awaitEvaluation("k8s-node-6", e -> e.verdict() instanceof Verdict.Healthy);

    Node broken = TestNodes.worker("k8s-node-6", "Unknown", ago(Duration.ofMinutes(2))).build();
    client.nodes().withName("k8s-node-6").edit(n -> TestNodes.withStatus(n, broken));

    awaitEvaluation("k8s-node-6", e -> e.decision() == Decision.REPAIR_STARTED);
    assertEquals("k8s-node-6", awaitRepairRun().request().node());
  }

  @Test
  void disabledWorkerMonitorIgnoresWorkers() throws InterruptedException {
    startDetector("worker-monitor-enabled: false\n");
    create(TestNodes.worker("k8s-node-7", "False", ago(Duration.ofMinutes(10))).build());

    assertInstanceOf(Verdict.Ignored.class, awaitEvaluation("k8s-node-7", e -> true).verdict());
    assertNoRepairOf("k8s-node-7");
  }
}
