package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
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
  private static final Duration MARGIN = Duration.ofMinutes(5);

  private final RepairPolicy policy;

  RepairActivities(RepairPolicy policy) {
    this.policy = policy;
  }

  /** One API call or two: a short attempt, retried for up to ten minutes. */
  ActivityOptions quick() {
    return options(Duration.ofSeconds(30), Duration.ofMinutes(10), null, BACKOFF);
  }

  /**
   * A change Magnum or Heat accepts only between other operations (resize, stack update): a short
   * attempt, retried while the cluster is busy, for as long as a cluster update may take.
   */
  ActivityOptions whenClusterSettles() {
    return options(Duration.ofSeconds(30), policy.clusterUpdateTimeout(), null, BACKOFF);
  }

  /** Best effort (Events): two short attempts, then the repair goes on. */
  ActivityOptions bestEffort() {
    return options(Duration.ofSeconds(15), Duration.ofMinutes(1), null,
        RetryOptions.newBuilder(BACKOFF).setMaximumAttempts(2).build());
  }

  ActivityOptions polling(Duration timeout) {
    Duration heartbeat = max(policy.pollInterval().multipliedBy(3), Duration.ofSeconds(10));
    return options(timeout.plus(heartbeat), timeout.plus(MARGIN), heartbeat, BACKOFF);
  }

  /**
   * A wait whose end the activity decides (drain, await Ready, CSI detach): it answers when its
   * own timeout passes, so the attempt gets a little more than that.
   */
  ActivityOptions boundedWait(Duration timeout) {
    return polling(timeout);
  }

  /** A stop that must finish in time: no retries past the policy's shut-off timeout. */
  ActivityOptions shutOff() {
    Duration heartbeat = max(policy.pollInterval().multipliedBy(3), Duration.ofSeconds(10));
    return options(policy.shutOffTimeout(), policy.shutOffTimeout(), heartbeat, BACKOFF);
  }

  KubernetesActivities kubernetes(String summary, ActivityOptions options) {
    return Workflow.newActivityStub(KubernetesActivities.class,
        ActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  CloudActivities cloud(String summary, ActivityOptions options) {
    return Workflow.newActivityStub(CloudActivities.class,
        ActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  private static ActivityOptions options(Duration startToClose, Duration scheduleToClose, Duration heartbeat,
      RetryOptions retry) {
    ActivityOptions.Builder builder = ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setScheduleToCloseTimeout(scheduleToClose)
        .setRetryOptions(retry);
    if (heartbeat != null) {
      builder.setHeartbeatTimeout(heartbeat);
    }
    return builder.build();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * Whether a step ran out of time: it timed out, or it kept failing with retryable errors until
   * its schedule-to-close timeout stopped the retries. A non-retryable error is not this.
   */
  static boolean ranOutOfTime(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    return cause instanceof TimeoutFailure
        || (cause instanceof ApplicationFailure app && !app.isNonRetryable());
  }

  static boolean isCancellation(Throwable failure) {
    return failure instanceof CanceledFailure
        || (failure instanceof ActivityFailure && failure.getCause() instanceof CanceledFailure);
  }

  /** The operator-readable reason of a failed step. */
  static String describe(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    if (cause instanceof TimeoutFailure timeout) {
      String kind = timeout.getTimeoutType().name().replace("TIMEOUT_TYPE_", "").replace('_', '-').toLowerCase();
      return "timed out (" + kind + ")";
    }
    return cause == null ? failure.getMessage() : cause.getMessage();
  }
}
