package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Activity stubs with the timeout and retry policy of each kind of step, and a summary that the
 * Web UI shows on the activity. Transient errors retry with backoff until the step's
 * schedule-to-close timeout; activities mark permanent errors non-retryable.
 */
final class RepairActivities {
  private static final RetryOptions BACKOFF = RetryOptions.newBuilder()
      .setInitialInterval(Duration.ofSeconds(1))
      .setBackoffCoefficient(2)
      .setMaximumInterval(Duration.ofMinutes(1))
      .build();

  private final RepairPolicy policy;

  RepairActivities(RepairPolicy policy) {
    this.policy = policy;
  }

  /** One API call or two: a short attempt, retried for up to ten minutes. */
  ActivityOptions quick() {
    return base(Duration.ofSeconds(30), Duration.ofMinutes(10), null);
  }

  ActivityOptions shutOff() {
    return polling(policy.shutOffTimeout());
  }

  ActivityOptions clusterUpdate() {
    return polling(policy.clusterUpdateTimeout());
  }

  ActivityOptions rejoin() {
    return polling(policy.rejoinTimeout());
  }

  KubernetesActivities kubernetes(String summary, ActivityOptions options) {
    return Workflow.newActivityStub(KubernetesActivities.class,
        ActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  CloudActivities cloud(String summary, ActivityOptions options) {
    return Workflow.newActivityStub(CloudActivities.class,
        ActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  /**
   * A long wait inside one activity that heartbeats every poll: a dead worker is noticed after
   * the heartbeat timeout and the wait resumes on another one; the whole wait is bounded.
   */
  private ActivityOptions polling(Duration timeout) {
    Duration heartbeat = max(policy.pollInterval().multipliedBy(3), Duration.ofSeconds(10));
    return base(timeout, timeout.plus(Duration.ofMinutes(5)), heartbeat);
  }

  private static ActivityOptions base(Duration startToClose, Duration scheduleToClose, Duration heartbeat) {
    ActivityOptions.Builder builder = ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setScheduleToCloseTimeout(scheduleToClose)
        .setRetryOptions(BACKOFF);
    if (heartbeat != null) {
      builder.setHeartbeatTimeout(heartbeat);
    }
    return builder.build();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The operator-readable reason of a failed step. */
  static String describe(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    if (cause instanceof TimeoutFailure timeout) {
      return "timed out (" + timeout.getTimeoutType().name().replace("TIMEOUT_TYPE_", "").toLowerCase() + ")";
    }
    return cause == null ? failure.getMessage() : cause.getMessage();
  }
}
