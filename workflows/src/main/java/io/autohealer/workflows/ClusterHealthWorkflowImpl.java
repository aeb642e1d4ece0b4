package io.autohealer.workflows;

import io.autohealer.workflows.activities.HealthReportActivities;
import io.autohealer.workflows.activities.HealthReportActivities.ReportHealth;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * See {@link ClusterHealthWorkflow}. A loop: write what is due, else wait for the next report or
 * the next deadline (refresh, staleness, retry), and continue as new when the run has done enough.
 */
public class ClusterHealthWorkflowImpl implements ClusterHealthWorkflow {
  private static final Logger log = Workflow.getLogger(ClusterHealthWorkflowImpl.class);

  /**
   * One PATCH: a few short attempts. When they are used up the workflow logs it and tries again
   * after the policy's retry interval, so a broken Magnum costs a little history, never the run.
   */
  static final ActivityOptions WRITE = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(30))
      .setScheduleToCloseTimeout(Duration.ofMinutes(2))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(5))
          .setBackoffCoefficient(2)
          .setMaximumInterval(Duration.ofSeconds(30))
          .build())
      .build();

  private final String cluster;
  private final HealthReportPolicy policy;
  private HealthReport lastWritten;
  private Instant lastWrittenAt;
  private HealthReport latest;
  private Instant latestReceivedAt;
  private int received;
  private int reportsThisRun;
  private int writesThisRun;
  private int failedWrites;
  private String lastError;
  private Instant retryAt;

  /** Runs before the signal handler, so that the report sent with the start finds the state set. */
  @WorkflowInit
  public ClusterHealthWorkflowImpl(ClusterHealthRequest request) {
    this.cluster = request.cluster();
    this.policy = request.policy() == null ? HealthReportPolicy.defaults() : request.policy();
    this.lastWritten = request.lastWritten();
    this.lastWrittenAt = request.lastWrittenAt();
    this.latest = request.latest();
    this.latestReceivedAt = request.latestReceivedAt();
  }

  @Override
  public ClusterHealthState watch(ClusterHealthRequest ignored) {
    HealthReportActivities magnum = Workflow.newActivityStub(HealthReportActivities.class,
        ActivityOptions.newBuilder(WRITE).setSummary("Report the health of cluster " + cluster + " to Magnum").build());
    while (true) {
      Instant now = now();
      HealthReport due = due(now);
      if (due != null) {
        write(magnum, due);
        continue; // time passed and reports may have come in while writing
      }
      if (reportsThisRun + writesThisRun >= policy.maxReportsPerRun()
          || Workflow.getInfo().isContinueAsNewSuggested()) {
        log.info("Continuing as new after {} reports and {} writes", reportsThisRun, writesThisRun);
        Workflow.continueAsNew(
            new ClusterHealthRequest(cluster, policy, lastWritten, lastWrittenAt, latest, latestReceivedAt));
      }
      int seen = received;
      Duration wait = untilNextDeadline(now);
      if (wait == null) {
        Workflow.await(() -> received != seen);
      } else {
        Workflow.await(wait, () -> received != seen);
      }
    }
  }

  @Override
  public void report(HealthReport report) {
    if (report == null || report.status() == null || report.reportedAt() == null) {
      log.warn("Ignoring an incomplete health report: {}", report);
      return;
    }
    latest = report;
    latestReceivedAt = now();
    received++;
    reportsThisRun++;
  }

  @Override
  public ClusterHealthState state() {
    return new ClusterHealthState(cluster, lastWritten, lastWrittenAt, latest, latestReceivedAt,
        reportsThisRun, writesThisRun, failedWrites, lastError);
  }

  /** The report to write now, or null: a change, a refresh, or UNKNOWN for a silent detector. */
  private HealthReport due(Instant now) {
    if (latest == null || (retryAt != null && now.isBefore(retryAt))) {
      return null;
    }
    if (stale(now)) {
      HealthReport unknown = HealthReport.unknown(now);
      return unknown.sameState(lastWritten) ? null : unknown;
    }
    if (!latest.sameState(lastWritten)) {
      return latest;
    }
    return now.isBefore(lastWrittenAt.plus(policy.refreshInterval())) ? null : latest;
  }

  private boolean stale(Instant now) {
    return !now.isBefore(latestReceivedAt.plus(policy.staleAfter()));
  }

  /** Until the earliest of retry, refresh and staleness that is still ahead; null: only a report wakes us. */
  private Duration untilNextDeadline(Instant now) {
    if (latest == null) {
      return null;
    }
    Instant next = null;
    if (retryAt != null && now.isBefore(retryAt)) {
      next = retryAt;
    }
    if (!stale(now)) {
      next = earliest(next, latestReceivedAt.plus(policy.staleAfter()));
      if (lastWrittenAt != null) {
        next = earliest(next, lastWrittenAt.plus(policy.refreshInterval()));
      }
    }
    if (next == null) {
      return null; // stale and already reported UNKNOWN: nothing to do until the detector is back
    }
    Duration wait = Duration.between(now, next);
    return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
  }

  private void write(HealthReportActivities magnum, HealthReport report) {
    boolean changed = !report.sameState(lastWritten);
    try {
      magnum.reportHealth(new ReportHealth(cluster, report));
      lastWritten = report;
      lastWrittenAt = now();
      writesThisRun++;
      retryAt = null;
      if (lastError != null) {
        log.info("Reporting health to Magnum works again");
      }
      lastError = null;
      if (changed) {
        log.info("Cluster {} reported to Magnum as {}", cluster, report.describe());
      }
    } catch (ActivityFailure failure) {
      failedWrites++;
      writesThisRun++;
      lastError = RepairActivities.describe(failure);
      retryAt = now().plus(policy.retryInterval());
      log.warn("Could not report cluster {} as {} to Magnum: {}; trying again in {}",
          cluster, report.status(), lastError, policy.retryInterval());
    }
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
