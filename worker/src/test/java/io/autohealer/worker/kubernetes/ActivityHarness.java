package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@link KubernetesActivitiesImpl} in Temporal's activity test environment: one attempt, the
 * heartbeats recorded, and failures unwrapped.
 */
final class ActivityHarness implements AutoCloseable {
  static final Duration START_TO_CLOSE = Duration.ofSeconds(20);

  final List<String> heartbeats = new CopyOnWriteArrayList<>();
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  ActivityHarness(KubernetesClient client, KubernetesActivitiesImpl.Settings settings) {
    env.registerActivitiesImplementations(new KubernetesActivitiesImpl(client, settings));
    env.setActivityHeartbeatListener(String.class, heartbeats::add);
  }

  /** A stub with a 20 s start-to-close timeout and no retries. */
  KubernetesActivities activities() {
    return activities(START_TO_CLOSE);
  }

  KubernetesActivities activities(Duration startToClose) {
    return env.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(Duration.ofSeconds(5))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  /** Waits until a heartbeat matches; the SDK sends the first at once and throttles later ones. */
  String awaitHeartbeat(Predicate<String> matching) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      for (String heartbeat : heartbeats) {
        if (matching.test(heartbeat)) {
          return heartbeat;
        }
      }
      assertTrue(System.nanoTime() < deadline, "no matching heartbeat in " + heartbeats);
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  static ApplicationFailure applicationFailure(Runnable call) {
    ActivityFailure failure = assertThrows(ActivityFailure.class, call::run);
    return assertInstanceOf(ApplicationFailure.class, failure.getCause());
  }

  @Override
  public void close() {
    env.close();
  }
}
