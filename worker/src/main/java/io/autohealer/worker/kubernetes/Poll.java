package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One wait inside an activity: a deadline, a pause between looks at the world, and a heartbeat at
 * every look. The deadline is the requested timeout, cut short so that the activity still answers
 * before Temporal's own start-to-close or schedule-to-close timeout would kill the attempt: a wait
 * that promises "a timeout is an answer, not a failure" must not be ended by one.
 */
final class Poll {
  private static final Logger log = LoggerFactory.getLogger(Poll.class);
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  static final Duration MIN_INTERVAL = Duration.ofMillis(10);
  /** Left at the end of Temporal's timeouts for the last look and the answer, at most. */
  private static final Duration MAX_MARGIN = Duration.ofSeconds(10);

  private final ActivityExecutionContext context;
  private final Duration interval;
  private final long deadline;
  private final boolean bounded;

  private Poll(ActivityExecutionContext context, Duration interval, Duration budget) {
    this.context = context;
    this.interval = interval(interval);
    this.bounded = budget != null;
    this.deadline = bounded ? System.nanoTime() + budget.toNanos() : Long.MAX_VALUE;
  }

  /** A wait of at most {@code timeout} (null or negative: look once), polling every {@code interval}. */
  static Poll until(Duration timeout, Duration interval) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    return new Poll(context, interval, budget(timeout, context.getInfo(), System.currentTimeMillis()));
  }

  /** A wait bounded only by the activity's own timeouts. */
  static Poll unbounded(Duration interval) {
    return new Poll(Activity.getExecutionContext(), interval, null);
  }

  /** Whether the deadline has passed. */
  boolean expired() {
    return bounded && System.nanoTime() - deadline >= 0;
  }

  void heartbeat(String details) {
    context.heartbeat(details);
  }

  /** Sleeps one interval, or until the deadline when that comes first. */
  void pause() {
    long nanos = interval.toNanos();
    if (bounded) {
      nanos = Math.min(nanos, Math.max(0, deadline - System.nanoTime()));
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
  }

  /**
   * Runs one read of a wait. A transient API error (5xx, throttling, no connection) does not end
   * the wait, which must outlive a short outage: it is logged, reported in the heartbeat, and
   * answered with empty, so the caller looks again at the next poll. A permanent one fails the
   * activity.
   */
  <T> Optional<T> read(String operation, Supplier<T> call) {
    try {
      return Optional.ofNullable(call.get());
    } catch (KubernetesClientException e) {
      if (!KubernetesFailures.isRetryable(e)) {
        throw KubernetesFailures.permanent(operation, e);
      }
      log.warn("{} failed, will look again in {}: {}", operation, interval, e.getMessage());
      heartbeat("Kubernetes API unavailable (" + operation + "): HTTP " + e.getCode());
      return Optional.empty();
    }
  }

  static Duration interval(Duration requested) {
    if (requested == null || requested.isZero() || requested.isNegative()) {
      return DEFAULT_INTERVAL;
    }
    return requested.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : requested;
  }

  /**
   * The requested timeout, cut to what the attempt's start-to-close and the activity's
   * schedule-to-close timeouts leave, less a margin for the last look (a tenth of the timeout, at
   * most {@link #MAX_MARGIN}). Never negative.
   */
  static Duration budget(Duration requested, ActivityInfo info, long nowMillis) {
    Duration budget = requested == null || requested.isNegative() ? Duration.ZERO : requested;
    Duration startToClose = info.getStartToCloseTimeout();
    if (positive(startToClose)) {
      budget = min(budget, startToClose.minus(margin(startToClose)));
    }
    Duration scheduleToClose = info.getScheduleToCloseTimeout();
    if (positive(scheduleToClose) && info.getScheduledTimestamp() > 0) {
      Duration left = scheduleToClose.minusMillis(nowMillis - info.getScheduledTimestamp());
      budget = min(budget, left.minus(margin(scheduleToClose)));
    }
    return budget.isNegative() ? Duration.ZERO : budget;
  }

  private static Duration margin(Duration timeout) {
    return min(MAX_MARGIN, timeout.dividedBy(10));
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isZero() && !d.isNegative();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
