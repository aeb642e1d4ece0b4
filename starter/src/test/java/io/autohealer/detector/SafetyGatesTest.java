package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ClusterPause;
import io.autohealer.config.ClusterPauseStore;
import io.autohealer.config.ConfigLoader;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairSearchAttributes;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every safety gate both ways, against fabric8's mock API server (CRUD) and Temporal's test
 * server, with a stand-in repair that runs until the test releases it. Waits on conditions only.
 */
@EnableKubernetesMockClient(crud = true)
class SafetyGatesTest {
  private static final String CLUSTER = "c418c335-0e52-42fc-bd68-baa8d264e072";
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Ticks never matter here: node events, re-checks and closes drive the decisions. */
  private static final String BASE_CONFIG =
      """
      cluster-name: %s
      check-delay-after-add: 0s
      leader-elect: false
      healthcheck:
        master:
          - type: NodeCondition
            params: {unhealthy-duration: 1m}
        worker:
          - type: NodeCondition
            params: {unhealthy-duration: 1m}
      """
          .formatted(CLUSTER);

  @RegisterExtension
  static final TestWorkflowExtension temporal = testWorkflowExtension();

  static KubernetesClient client;
  static KubernetesMockServer server;

  private final BlockingQueue<DetectorTest.Evaluation> evaluations = new LinkedBlockingQueue<>();
  private final List<Detector> detectors = new ArrayList<>();
  private WorkflowClient workflowClient;

  private static TestWorkflowExtension testWorkflowExtension() {
    TestWorkflowExtension.Builder builder = TestWorkflowExtension.newBuilder().setDoNotStart(true);
    for (var key : RepairSearchAttributes.ALL) {
      builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    return builder.build();
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env) {
    workflowClient =
        WorkflowClient.newInstance(
            env.getWorkflowServiceStubs(), WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace()).build());
    env.newWorker(RepairIds.taskQueue(CLUSTER)).registerWorkflowImplementationTypes(RecordingRepairWorkflow.class);
    env.start();
    RecordingRepairWorkflow.STARTED.clear();
    client.nodes().delete();
    client.v1().events().inNamespace("default").delete();
    client.configMaps().inAnyNamespace().delete();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Detector detector : detectors) {
      stop(detector);
    }
    for (String workflowId : RecordingRepairWorkflow.WORKFLOW_IDS) {
      try {
        workflowClient.newUntypedWorkflowStub(workflowId).terminate("test over");
      } catch (WorkflowNotFoundException | WorkflowServiceException e) {
        // Already closed.
      }
    }
    RecordingRepairWorkflow.WORKFLOW_IDS.clear();
  }

  // ---- storm guard ----

  @Test
  void stormGuardByPercentStartsNothingAndEmitsOneEventUntilFewerFail() throws InterruptedException {
    // 3 of 5 workers unhealthy; 40% of 5 is 2.
    createAll(bad("k8s-node-1"), bad("k8s-node-2"), bad("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    Detector detector = startDetector("");

    for (String node : List.of("k8s-node-1", "k8s-node-2", "k8s-node-3")) {
      awaitDecision(node, Decision.BLOCKED_STORM);
    }
    detector.awaitQuiet(WAIT);
    List<Event> storm = events(null, DetectorEvents.STORM);
    assertEquals(1, storm.size(), storm::toString);
    assertTrue(storm.get(0).getMessage().startsWith("Storm guard: 3 of 5 worker nodes are unhealthy, more than max-unhealthy 40% allows (2)"),
        storm.get(0).getMessage());
    assertEquals("Node", storm.get(0).getInvolvedObject().getKind());
    assertEquals(List.of(), events(null, DetectorEvents.REPAIR_BLOCKED), "no per-node Event in a storm");
    assertNoRepairStarted();

    // One recovers: 2 of 5 is within the limit, and a held node starts without waiting for a tick.
    heal("k8s-node-3");
    RecordingRepairWorkflow.Run run = awaitRepairRun();
    assertTrue(Set.of("k8s-node-1", "k8s-node-2").contains(run.request().node()), run.request().node());
    detector.awaitQuiet(WAIT);
    assertEquals(1, events(null, DetectorEvents.STORM).size());
  }

  @Test
  void stormGuardByCount() throws InterruptedException {
    createAll(bad("k8s-node-1"), bad("k8s-node-2"), good("k8s-node-3"));
    startDetector("max-unhealthy: 1\n");

    awaitDecision("k8s-node-1", Decision.BLOCKED_STORM);
    awaitDecision("k8s-node-2", Decision.BLOCKED_STORM);
    assertNoRepairStarted();

    client.nodes().withName("k8s-node-2").delete();
    assertEquals("k8s-node-1", awaitRepairRun().request().node());
  }

  // ---- the API cannot be read ----

  @Test
  void apiUnreadableOnTheFreshReadStartsNothing() throws InterruptedException {
    // 403 as when RBAC is wrong (a 5xx would be retried by the client, and pass on its retry).
    server.expect().get().withPath("/api/v1/nodes/k8s-node-1").andReturn(403, "forbidden").once();
    startDetector("");
    create(bad("k8s-node-1"));

    awaitDecision("k8s-node-1", Decision.BLOCKED_API_UNREADABLE);
    Event event = awaitEvent("k8s-node-1", DetectorEvents.REPAIR_BLOCKED);
    assertTrue(event.getMessage().startsWith("Repair held back (api_unreadable): cannot read the node"), event.getMessage());
    assertNoRepairStarted();

    // The API answers again: the next look starts the repair.
    touch("k8s-node-1");
    awaitDecision("k8s-node-1", Decision.REPAIR_STARTED);
    assertEquals("k8s-node-1", awaitRepairRun().request().node());
  }

  // ---- concurrency ----

  @Test
  void oneRepairAtATimeTheSecondStartsWhenTheFirstCloses() throws InterruptedException {
    createAll(bad("k8s-node-1"), bad("k8s-node-2"), good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    startDetector("");

    RecordingRepairWorkflow.Run first = awaitRepairRun();
    String second = first.request().node().equals("k8s-node-1") ? "k8s-node-2" : "k8s-node-1";
    awaitDecision(second, Decision.BLOCKED_CONCURRENCY);
    assertTrue(awaitEvent(second, DetectorEvents.REPAIR_BLOCKED).getMessage().contains("(max-concurrent-repairs 1)"));
    assertNoRepairStarted();

    release(first);
    assertEquals(second, awaitRepairRun().request().node());
  }

  @Test
  void oneMasterAtATimeWhileWorkersGoOn() throws InterruptedException {
    createAll(
        badMaster("k8s-master-0"), badMaster("k8s-master-1"), goodMaster("k8s-master-2"),
        bad("k8s-node-1"), good("k8s-node-2"), good("k8s-node-3"));
    startDetector("max-unhealthy: 2\nmax-concurrent-repairs: 3\n");

    List<RecordingRepairWorkflow.Run> runs = List.of(awaitRepairRun(), awaitRepairRun());
    RecordingRepairWorkflow.Run master =
        runs.stream().filter(r -> r.request().role() == NodeRole.MASTER).findFirst().orElseThrow();
    assertTrue(runs.stream().anyMatch(r -> r.request().node().equals("k8s-node-1")));
    String other = master.request().node().equals("k8s-master-0") ? "k8s-master-1" : "k8s-master-0";
    awaitDecision(other, Decision.BLOCKED_MASTER_IN_REPAIR);
    assertNoRepairStarted();

    release(master);
    RecordingRepairWorkflow.Run next = awaitRepairRun();
    assertEquals(other, next.request().node());
    assertEquals(NodeRole.MASTER, next.request().role());
  }

  @Test
  void aRestartedDetectorCountsTheRunningRepairsItFindsInTemporal() throws InterruptedException {
    createAll(bad("k8s-node-1"), good("k8s-node-2"), good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    Detector first = startDetector("");
    RecordingRepairWorkflow.Run running = awaitRepairRun();
    stop(first);
    evaluations.clear();

    create(bad("k8s-node-6"));
    startDetector("");
    awaitDecision("k8s-node-1", Decision.REPAIR_RUNNING);
    awaitDecision("k8s-node-6", Decision.BLOCKED_CONCURRENCY);
    assertNoRepairStarted();

    release(running);
    assertEquals("k8s-node-6", awaitRepairRun().request().node());
  }

  // ---- opt-out and pause ----

  @Test
  void optOutByLabelOrAnnotation() throws InterruptedException {
    Node byLabel = bad("k8s-node-1").editMetadata().addToLabels(KubernetesActivities.OPT_OUT, "true").endMetadata().build();
    Node byAnnotation =
        bad("k8s-node-2").editMetadata().addToAnnotations(KubernetesActivities.OPT_OUT, "True").endMetadata().build();
    createAll(byLabel, byAnnotation, good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    startDetector("max-concurrent-repairs: 2\n");

    awaitDecision("k8s-node-1", Decision.BLOCKED_OPTED_OUT);
    awaitDecision("k8s-node-2", Decision.BLOCKED_OPTED_OUT);
    assertTrue(awaitEvent("k8s-node-1", DetectorEvents.REPAIR_BLOCKED).getMessage()
        .startsWith("Repair held back (opted_out): the node is excluded"));
    awaitEvent("k8s-node-2", DetectorEvents.REPAIR_BLOCKED);
    assertNoRepairStarted();

    client.nodes().withName("k8s-node-1")
        .edit(n -> new NodeBuilder(n).editMetadata().removeFromLabels(KubernetesActivities.OPT_OUT).endMetadata().build());
    assertEquals("k8s-node-1", awaitRepairRun().request().node());
    assertTrue(RecordingRepairWorkflow.STARTED.isEmpty());
  }

  @Test
  void clusterPauseHoldsEveryRepairUntilItIsLifted() throws InterruptedException {
    ClusterPauseStore pause = new ClusterPauseStore(client, "autohealer");
    pause.set(new ClusterPause("alice", "etcd maintenance", Instant.parse("2026-11-25T03:00:00Z")));
    startDetector("control-namespace: autohealer\n");
    create(bad("k8s-node-1"));

    awaitDecision("k8s-node-1", Decision.BLOCKED_PAUSED);
    Event event = awaitEvent("k8s-node-1", DetectorEvents.REPAIR_BLOCKED);
    assertEquals("Repair held back (paused): the healer is paused by alice at 2026-11-25T03:00:00Z: etcd maintenance"
        + " (ConfigMap autohealer/magnum-autohealer-control)", event.getMessage());
    assertNoRepairStarted();

    pause.clear();
    assertEquals("k8s-node-1", awaitRepairRun().request().node());
  }

  @Test
  void aPauseSetWhileRunningHoldsNewRepairs() throws InterruptedException {
    startDetector("max-concurrent-repairs: 2\n");
    createAll(good("k8s-node-2"), good("k8s-node-3"), good("k8s-node-4"));
    new ClusterPauseStore(client).set(new ClusterPause(null, "by hand", null));
    awaitPaused();
    create(bad("k8s-node-1"));

    awaitDecision("k8s-node-1", Decision.BLOCKED_PAUSED);
    assertNoRepairStarted();
    client.configMaps().inNamespace("kube-system").withName(ClusterPause.CONFIG_MAP).delete();
    assertEquals("k8s-node-1", awaitRepairRun().request().node());
  }

  // ---- cool-down and budget ----

  @Test
  void coolDownHoldsANewRepairOfTheSameNodeUntilItPasses() throws InterruptedException {
    createAll(bad("k8s-node-1"), good("k8s-node-2"), good("k8s-node-3"));
    startDetector("repair-cooldown: 2s\n");
    RecordingRepairWorkflow.Run first = awaitRepairRun();

    release(first);
    // Still unhealthy once its repair closed: held back by the cool-down, then started by itself.
    DetectorTest.Evaluation held = awaitDecision("k8s-node-1", Decision.BLOCKED_COOLDOWN);
    assertNotNull(held);
    assertTrue(awaitEvent("k8s-node-1", DetectorEvents.REPAIR_BLOCKED).getMessage().contains("repair-cooldown 2s"));
    RecordingRepairWorkflow.Run second = awaitRepairRun();
    assertEquals(first.workflowId(), second.workflowId());
    assertNotEquals(first.runId(), second.runId());
    // Both starts are on the node's record.
    awaitCondition(() -> RepairBudget.parse(annotation("k8s-node-1")).size() == 2, "two starts recorded");
  }

  @Test
  void budgetExhaustedLeavesTheNodeForAPerson() throws InterruptedException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String threeToday = String.join(",", now.minus(Duration.ofHours(3)).toString(),
        now.minus(Duration.ofHours(2)).toString(), now.minus(Duration.ofHours(1)).toString());
    String twoOfThreeOld = String.join(",", now.minus(Duration.ofHours(30)).toString(),
        now.minus(Duration.ofHours(25)).toString(), now.minus(Duration.ofHours(1)).toString());
    createAll(
        bad("k8s-node-1").editMetadata().addToAnnotations(RepairBudget.ANNOTATION, threeToday).endMetadata().build(),
        bad("k8s-node-2").editMetadata().addToAnnotations(RepairBudget.ANNOTATION, twoOfThreeOld).endMetadata().build(),
        good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    startDetector("max-concurrent-repairs: 2\n");

    awaitDecision("k8s-node-1", Decision.BLOCKED_BUDGET_EXHAUSTED);
    Event exhausted = awaitEvent("k8s-node-1", DetectorEvents.BUDGET_EXHAUSTED);
    assertEquals("Warning", exhausted.getType());
    assertTrue(exhausted.getMessage().startsWith("the node was repaired 3 times within 24h (repair-budget 3)"),
        exhausted.getMessage());
    assertTrue(exhausted.getMessage().contains("left for a person"), exhausted.getMessage());

    // Only one of node 2's starts is within the window: it is repaired, and its record pruned.
    assertEquals("k8s-node-2", awaitRepairRun().request().node());
    awaitCondition(() -> RepairBudget.parse(annotation("k8s-node-2")).size() == 2, "node 2's record pruned and appended");
    assertEquals(now.minus(Duration.ofHours(1)), RepairBudget.parse(annotation("k8s-node-2")).get(0));
    assertTrue(RecordingRepairWorkflow.STARTED.isEmpty());
    assertEquals(threeToday, annotation("k8s-node-1"));
  }

  // ---- dry-run ----

  @Test
  void dryRunDecidesAndReportsButStartsNothing() throws InterruptedException {
    Node excluded = bad("k8s-node-2").editMetadata().addToLabels(KubernetesActivities.OPT_OUT, "true").endMetadata().build();
    createAll(bad("k8s-node-1"), excluded, good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    Detector detector = startDetector("dry-run: true\nmax-concurrent-repairs: 2\n");

    awaitDecision("k8s-node-1", Decision.DRY_RUN);
    awaitDecision("k8s-node-2", Decision.BLOCKED_OPTED_OUT);
    Event dryRun = awaitEvent("k8s-node-1", DetectorEvents.DRY_RUN);
    assertTrue(dryRun.getMessage().startsWith("dry-run: every safety gate passed; would start the repair of worker node k8s-node-1"),
        dryRun.getMessage());
    assertTrue(awaitEvent("k8s-node-2", DetectorEvents.REPAIR_BLOCKED).getMessage()
        .startsWith("Repair held back (opted_out): dry-run: the node is excluded"));
    awaitEvent("k8s-node-1", DetectorEvents.NODE_UNHEALTHY);

    detector.awaitQuiet(WAIT);
    assertNoRepairStarted();
    assertThrows(WorkflowNotFoundException.class,
        () -> workflowClient.newUntypedWorkflowStub(RepairIds.workflowId(CLUSTER, "k8s-node-1")).describe());
    assertNull(annotation("k8s-node-1"));
    assertEquals(List.of(), events("k8s-node-1", DetectorEvents.REPAIR_STARTED));
  }

  // ---- Events ----

  @Test
  void eventsOfARepairThatStarts() throws InterruptedException {
    createAll(bad("k8s-node-1"), good("k8s-node-2"), good("k8s-node-3"));
    Detector detector = startDetector("");
    awaitRepairRun();

    Event unhealthy = awaitEvent("k8s-node-1", DetectorEvents.NODE_UNHEALTHY);
    assertEquals("Warning", unhealthy.getType());
    assertEquals("default", unhealthy.getMetadata().getNamespace());
    assertEquals("magnum-autohealer", unhealthy.getSource().getComponent());
    assertEquals("Node", unhealthy.getInvolvedObject().getKind());
    assertEquals("k8s-node-1", unhealthy.getInvolvedObject().getName());
    assertEquals("Node is unhealthy: NodeConditionCheck: NodeCondition Ready=False for 10m", unhealthy.getMessage());
    Event started = awaitEvent("k8s-node-1", DetectorEvents.REPAIR_STARTED);
    assertEquals("Normal", started.getType());
    assertTrue(started.getMessage().contains(RepairIds.workflowId(CLUSTER, "k8s-node-1")), started.getMessage());

    // Seen again while its repair runs: no new Events.
    touch("k8s-node-1");
    awaitDecision("k8s-node-1", Decision.REPAIR_RUNNING);
    detector.awaitQuiet(WAIT);
    assertEquals(1, events("k8s-node-1", DetectorEvents.NODE_UNHEALTHY).size());
    assertEquals(1, events("k8s-node-1", DetectorEvents.REPAIR_STARTED).size());
  }

  @Test
  void blockedEventsAreRateLimitedPerNodeAndReason() throws InterruptedException {
    createAll(bad("k8s-node-1"), bad("k8s-node-2"), good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    Detector detector = startDetector("");
    RecordingRepairWorkflow.Run first = awaitRepairRun();
    String second = first.request().node().equals("k8s-node-1") ? "k8s-node-2" : "k8s-node-1";
    awaitDecision(second, Decision.BLOCKED_CONCURRENCY);
    for (int i = 1; i <= 3; i++) {
      touch(second);
      awaitDecision(second, Decision.BLOCKED_CONCURRENCY);
    }
    detector.awaitQuiet(WAIT);
    assertEquals(1, events(second, DetectorEvents.REPAIR_BLOCKED).size());
  }

  // ---- metrics ----

  @Test
  void metricsEndpointAnswersWithTheCounters() throws Exception {
    Node excluded = bad("k8s-node-2").editMetadata().addToLabels(KubernetesActivities.OPT_OUT, "true").endMetadata().build();
    createAll(bad("k8s-node-1"), excluded, good("k8s-node-3"), good("k8s-node-4"), good("k8s-node-5"));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("cluster", CLUSTER);
    Detector detector = startDetector("max-concurrent-repairs: 2\nmonitor-interval: 200ms\n", new DetectorMetrics(registry));
    try (MetricsServer metrics =
        new MetricsServer(0, registry, MetricsServer.readiness(detector::ready, "not synced"))) {
      awaitRepairRun();
      awaitDecision("k8s-node-2", Decision.BLOCKED_OPTED_OUT);
      String base = "http://127.0.0.1:" + metrics.port();
      awaitCondition(() -> get(base + "/metrics").body().contains("autohealer_detector_pass_seconds_count{cluster=\"" + CLUSTER + "\"} "),
          "a full pass timed");

      HttpResponse<String> scrape = get(base + "/metrics");
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      String text = scrape.body();
      String c = "cluster=\"" + CLUSTER + "\"";
      assertTrue(text.contains("# TYPE autohealer_nodes_checked_total counter"), text);
      assertTrue(text.contains("autohealer_nodes_unhealthy{" + c + ",role=\"worker\"} 2.0"), text);
      assertTrue(text.contains("autohealer_nodes_unhealthy{" + c + ",role=\"master\"} 0.0"), text);
      assertTrue(text.contains("autohealer_repairs_started_total{" + c + ",role=\"worker\"} 1.0"), text);
      assertTrue(text.contains("autohealer_repairs_blocked_total{" + c + ",reason=\"opted_out\"} 1.0"), text);
      assertTrue(text.contains("autohealer_repairs_blocked_total{" + c + ",reason=\"storm\"} 0.0"), text);
      assertTrue(text.contains("autohealer_detector_pass_seconds_sum{" + c + "}"), text);
      double checked = Double.parseDouble(text.lines()
          .filter(l -> l.startsWith("autohealer_nodes_checked_total{")).findFirst().orElseThrow().split(" ")[1]);
      assertTrue(checked >= 5, text);

      assertEquals(200, get(base + "/healthz").statusCode());
      assertEquals(200, get(base + "/readyz").statusCode());
      assertEquals(404, get(base + "/metrics/extra").statusCode());
      HttpResponse<String> post = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(base + "/metrics")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());

      stop(detector);
      HttpResponse<String> notReady = get(base + "/readyz");
      assertEquals(503, notReady.statusCode());
      assertEquals("not synced\n", notReady.body());
      assertEquals(200, get(base + "/healthz").statusCode());
    }
  }

  // ---- helpers ----

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
    create(good(fence));
    awaitEvaluation(fence, e -> true);
    detector.awaitQuiet(WAIT);
    detector.close();
  }

  private Detector startDetector(String extraConfig) {
    return startDetector(extraConfig, DetectorMetrics.inMemory());
  }

  private Detector startDetector(String extraConfig, DetectorMetrics metrics) {
    String interval = extraConfig.contains("monitor-interval") ? "" : "monitor-interval: 1h\n";
    AutoHealerConfig config =
        ConfigLoader.builder().environment(k -> null).build().read(BASE_CONFIG + interval + extraConfig, "test");
    HealthChecks checks = HealthCheckRegistry.load().build(config.healthCheck());
    Detector detector =
        new Detector(
            config, checks, client, new RepairStarter(workflowClient), Clock.systemUTC(),
            (node, verdict, decision) -> evaluations.add(new DetectorTest.Evaluation(node, verdict, decision)),
            metrics);
    detectors.add(detector);
    detector.start();
    return detector;
  }

  private DetectorTest.Evaluation awaitDecision(String node, Decision decision) throws InterruptedException {
    return awaitEvaluation(node, e -> e.decision() == decision);
  }

  private DetectorTest.Evaluation awaitEvaluation(String node, Predicate<DetectorTest.Evaluation> matching)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (long left = WAIT.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      DetectorTest.Evaluation evaluation = evaluations.poll(left, TimeUnit.NANOSECONDS);
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

  private static void assertNoRepairStarted() {
    assertTrue(RecordingRepairWorkflow.STARTED.isEmpty(), RecordingRepairWorkflow.STARTED::toString);
  }

  /** Ends the stand-in repair and waits until it has closed. */
  private void release(RecordingRepairWorkflow.Run run) {
    workflowClient.newUntypedWorkflowStub(run.workflowId()).signal("release");
    workflowClient.newUntypedWorkflowStub(run.workflowId(), java.util.Optional.of(run.runId()), java.util.Optional.empty())
        .getResult(Object.class);
  }

  /** The detector's Events about a node (any node when null) with a reason. */
  private static List<Event> events(String node, String reason) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .filter(e -> node == null || node.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  private static Event awaitEvent(String node, String reason) throws InterruptedException {
    awaitCondition(() -> !events(node, reason).isEmpty(), "Event " + reason + " on " + node);
    return events(node, reason).get(0);
  }

  private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WAIT);
      }
      TimeUnit.MILLISECONDS.sleep(50); // a poll interval, not a wait for something to happen
    }
  }

  private void awaitPaused() throws InterruptedException {
    awaitCondition(() -> ClusterPause.fromConfigMap(
        client.configMaps().inNamespace("kube-system").withName(ClusterPause.CONFIG_MAP).get()).isPresent(), "paused");
    // The detector sees it through its informer: wait until a decision shows it.
    create(bad("k8s-probe").editMetadata().addToLabels("probe", "1").endMetadata().build());
    awaitDecision("k8s-probe", Decision.BLOCKED_PAUSED);
    client.nodes().withName("k8s-probe").delete();
  }

  private static String annotation(String node) {
    Node n = client.nodes().withName(node).get();
    return n == null ? null : NodeFacts.annotation(n, RepairBudget.ANNOTATION);
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static NodeBuilder badBuilder(String name) {
    return TestNodes.worker(name, "False", Instant.now().minus(Duration.ofMinutes(10)));
  }

  private static NodeBuilder bad(String name) {
    return badBuilder(name);
  }

  private static Node good(String name) {
    return TestNodes.worker(name, "True", Instant.now().minus(Duration.ofHours(1))).build();
  }

  private static Node badMaster(String name) {
    return TestNodes.master(name, "False", Instant.now().minus(Duration.ofMinutes(10))).build();
  }

  private static Node goodMaster(String name) {
    return TestNodes.master(name, "True", Instant.now().minus(Duration.ofHours(1))).build();
  }

  private static void create(Object node) {
    client.nodes().resource(node instanceof NodeBuilder b ? b.build() : (Node) node).create();
  }

  private static void createAll(Object... nodes) {
    for (Object node : nodes) {
      create(node);
    }
  }

  private static void heal(String node) {
    Node healthy = TestNodes.worker(node, "True", Instant.now()).build();
    client.nodes().withName(node).edit(n -> TestNodes.withStatus(n, healthy));
  }

  private static void touch(String node) {
    String value = String.valueOf(System.nanoTime());
    client.nodes().withName(node).edit(n -> TestNodes.relabel(n, "touched", value));
  }
}
