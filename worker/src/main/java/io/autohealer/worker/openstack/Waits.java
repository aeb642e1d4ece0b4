package io.autohealer.worker.openstack;

import io.temporal.activity.Activity;
import java.time.Duration;

/** Polling inside an activity: every wait heartbeats, so a stuck wait is noticed and retried. */
final class Waits {
  static final Duration DEFAULT_POLL = Duration.ofSeconds(10);
  static final Duration MIN_POLL = Duration.ofMillis(10);

  private Waits() {}

  static void heartbeat(Object details) {
    Activity.getExecutionContext().heartbeat(details);
  }

  /** The requested poll interval, or the default when none is given; never below 10 ms. */
  static Duration poll(Duration requested) {
    if (requested == null || requested.isZero() || requested.isNegative()) {
      return DEFAULT_POLL;
    }
    return requested.compareTo(MIN_POLL) < 0 ? MIN_POLL : requested;
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CloudFailures.transientFailure(CloudFailures.UNAVAILABLE, "interrupted while waiting");
    }
  }
}
