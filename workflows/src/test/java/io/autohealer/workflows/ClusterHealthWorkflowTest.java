package io.autohealer.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.HealthReport.UnhealthyNode;
import io.autohealer.workflows.activities.HealthReportActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ClusterHealthWorkflow on the time-skipping test server, with a fake Magnum writer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterHealthWorkflowTest {
  static final String CLUSTER = "c418";
  static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
  static final HealthReport HEALTHY = HealthReport.of(List.of(), T0);
  static final HealthReport W1_DOWN =
      HealthReport.of(List.of(new UnhealthyNode("w-1", NodeRole.WORKER, "NodeConditionCheck")), T0);

  @RegisterExtension
  static final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
      .setWorkflowTypes(ClusterHealthWorkflowImpl.class)
      .setDoNotStart(true)
      .build();

  final FakeMagnum magnum = new FakeMagnum();
  TestWorkflowEnvironment env;
  WorkflowClient client;
  WorkflowOptions options;

  /** Records each write; fails while {@code failures} is positive. */
  static final class FakeMagnum implements HealthReportActivities {
    final List<HealthReport> written = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    volatile boolean retryable;

    @Override
    public HealthReported reportHealth(ReportHealth request) {
      attempts.incrementAndGet();
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        String message = "Magnum PATCH /clusters/" + request.cluster() + " answered HTTP 503";
        throw retryable ? ApplicationFailure.newFailure(message, "OpenStackUnavailable")
            : ApplicationFailure.newNonRetryableFailure(message, "OpenStackRejected");
      }
      written.add(request.report());
      return new HealthReported(request.report().status().name(), "{}");
    }

    List<HealthStatus> statuses() {
      return written.stream().map(HealthReport::status).toList();
    }
  }

  @BeforeEach
  void start(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, WorkflowOptions options) {
    worker.registerActivitiesImplementations(magnum);
    env.start();
    this.env = env;
    this.client = client;
    this.options = WorkflowOptions.newBuilder(options).setWorkflowId(RepairIds.healthWorkflowId(CLUSTER)).build();
  }

  /** What the detector does: signal-with-start. */
  void send(ClusterHealthRequest request, HealthReport report) {
    ClusterHealthWorkflow workflow = client.newWorkflowStub(ClusterHealthWorkflow.class, options);
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(workflow::watch, request);
    batch.add(workflow::report, report);
    client.signalWithStart(batch);
  }

  void send(HealthReport report) {
    send(ClusterHealthRequest.start(CLUSTER), report);
  }

  ClusterHealthState state() {
    return client.newWorkflowStub(ClusterHealthWorkflow.class, RepairIds.healthWorkflowId(CLUSTER)).state();
  }

  /** Polls the query until it matches (signals and activities are asynchronous). */
  ClusterHealthState awaitState(Predicate<ClusterHealthState> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ClusterHealthState state = state();
    while (!condition.test(state)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("state never matched: " + state);
      }
      Thread.sleep(20);
      state = state();
    }
    return state;
  }

  static HealthReport at(HealthReport report, Duration later) {
    return new HealthReport(report.status(), report.unhealthyNodes(), report.reportedAt().plus(later));
  }

  @Test
  void onlyChangedReportsAreWritten() throws InterruptedException {
    send(HEALTHY);
    send(at(HEALTHY, Duration.ofSeconds(30)));
    send(at(HEALTHY, Duration.ofSeconds(60)));
    awaitState(s -> s.reportsThisRun() == 3 && s.writesThisRun() == 1);
    send(at(W1_DOWN, Duration.ofSeconds(90)));
    send(at(W1_DOWN, Duration.ofSeconds(120)));
    awaitState(s -> s.reportsThisRun() == 5 && s.writesThisRun() == 2);
    send(at(HEALTHY, Duration.ofSeconds(150)));
    ClusterHealthState state = awaitState(s -> s.reportsThisRun() == 6 && s.writesThisRun() == 3);

    assertEquals(List.of(HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, HealthStatus.HEALTHY), magnum.statuses());
    assertEquals(W1_DOWN.unhealthyNodes(), magnum.written.get(1).unhealthyNodes());
    assertEquals(at(HEALTHY, Duration.ofSeconds(150)), state.lastWritten());
    assertNull(state.lastError());
  }

  @Test
  void unchangedStatusIsWrittenAgainEveryRefreshIntervalAndUnknownWhenTheDetectorFallsSilent()
      throws InterruptedException {
    send(W1_DOWN);
    awaitState(s -> s.writesThisRun() == 1);

    env.sleep(Duration.ofMinutes(4));
    assertEquals(1, magnum.written.size(), "nothing is due before the refresh interval");
    env.sleep(Duration.ofMinutes(1).plusSeconds(5));
    assertEquals(List.of(HealthStatus.UNHEALTHY, HealthStatus.UNHEALTHY), magnum.statuses());

    // No report for 15 minutes: the status is no longer known; written once, then left alone.
    env.sleep(Duration.ofMinutes(10));
    env.sleep(Duration.ofMinutes(30));
    assertEquals(List.of(HealthStatus.UNHEALTHY, HealthStatus.UNHEALTHY, HealthStatus.UNHEALTHY,
        HealthStatus.UNKNOWN), magnum.statuses());

    // The detector is back.
    send(at(W1_DOWN, Duration.ofMinutes(46)));
    awaitState(s -> s.writesThisRun() == 5);
    assertEquals(HealthStatus.UNHEALTHY, magnum.written.get(4).status());
  }

  @Test
  void continuesAsNewAfterTheConfiguredNumberOfReportsKeepingItsState() throws InterruptedException {
    HealthReportPolicy small = new HealthReportPolicy(Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofMinutes(1), 4);
    ClusterHealthRequest request = new ClusterHealthRequest(CLUSTER, small, null, null, null, null);
    send(request, HEALTHY);
    awaitState(s -> s.writesThisRun() == 1);
    String firstRun = client.newUntypedWorkflowStub(RepairIds.healthWorkflowId(CLUSTER)).describe()
        .getExecution().getRunId();
    // 2 reports + 2 writes reach the limit of 4: the next run takes over with what was written.
    send(request, at(W1_DOWN, Duration.ofSeconds(30)));
    WorkflowStub current = client.newUntypedWorkflowStub(RepairIds.healthWorkflowId(CLUSTER));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (firstRun.equals(current.describe().getExecution().getRunId()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    ClusterHealthState state = state();

    assertNotEquals(firstRun, current.describe().getExecution().getRunId());
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, current.describe().getStatus());
    WorkflowExecutionHistory history = client.fetchHistory(RepairIds.healthWorkflowId(CLUSTER), firstRun);
    HistoryEvent last = history.getLastEvent();
    assertEquals(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, last.getEventType());
    assertEquals(0, state.reportsThisRun(), state.toString());
    assertTrue(W1_DOWN.sameState(state.lastWritten()), state.toString());
    assertNotNull(state.lastWrittenAt());

    // The new run does not write the unchanged state again, and still reacts to a change.
    send(request, at(W1_DOWN, Duration.ofSeconds(90)));
    send(request, at(HEALTHY, Duration.ofSeconds(120)));
    awaitState(s -> s.reportsThisRun() == 2 && s.writesThisRun() == 1);
    assertEquals(List.of(HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, HealthStatus.HEALTHY), magnum.statuses());
  }

  @Test
  void aFailingWriteNeverFailsTheWorkflowAndIsTriedAgainLater() throws InterruptedException {
    magnum.failures.set(1);
    send(W1_DOWN);
    ClusterHealthState failed = awaitState(s -> s.failedWritesThisRun() == 1);
    assertNotNull(failed.lastError());
    assertTrue(failed.lastError().contains("HTTP 503"), failed.lastError());
    assertNull(failed.lastWritten());
    WorkflowStub stub = client.newUntypedWorkflowStub(RepairIds.healthWorkflowId(CLUSTER));
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, stub.describe().getStatus());

    // Tried again after the retry interval, and reports keep being taken meanwhile.
    send(at(W1_DOWN, Duration.ofSeconds(10)));
    env.sleep(Duration.ofMinutes(1).plusSeconds(5));
    ClusterHealthState recovered = awaitState(s -> s.lastWritten() != null);
    assertEquals(HealthStatus.UNHEALTHY, recovered.lastWritten().status());
    assertNull(recovered.lastError());
    assertEquals(1, magnum.written.size());
  }

  @Test
  void transientErrorsAreRetriedByTheActivityPolicy() throws InterruptedException {
    magnum.retryable = true;
    magnum.failures.set(2);
    send(HEALTHY);
    env.sleep(Duration.ofSeconds(30)); // the activity's backoff: 5s, then 10s
    ClusterHealthState state = awaitState(s -> s.lastWritten() != null);
    assertEquals(3, magnum.attempts.get());
    assertEquals(0, state.failedWritesThisRun());
    assertEquals(List.of(HealthStatus.HEALTHY), magnum.statuses());
  }
}
