package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The worker's Kubernetes activities in Temporal's activity test environment, one attempt each. */
final class DrainHarness implements AutoCloseable {
  final List<String> heartbeats = new CopyOnWriteArrayList<>();
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  DrainHarness(KubernetesClient client, Duration notReadyPodGrace) {
    env.registerActivitiesImplementations(
        new KubernetesActivitiesImpl(client, new KubernetesActivitiesImpl.Settings(notReadyPodGrace)));
    env.setActivityHeartbeatListener(String.class, heartbeats::add);
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

  @Override
  public void close() {
    env.close();
  }
}
