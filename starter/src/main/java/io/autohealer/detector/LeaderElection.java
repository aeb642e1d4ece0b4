package io.autohealer.detector;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Go service's leader election: Lease {@code kube-system/magnum-auto-healer}, lease 20s, renew
 * deadline 15s, retry 5s. The lease is released on close so that another replica takes over at once.
 */
final class LeaderElection implements AutoCloseable {
  static final String NAMESPACE = "kube-system";
  static final String LEASE = "magnum-auto-healer";
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** The Go service's hard-coded timings. */
  static final Timing GO_TIMING = new Timing(Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ofSeconds(5));

  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

  private final CompletableFuture<?> running;

  record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {}

  /**
   * Starts campaigning.
   *
   * @param onStartedLeading runs once this replica leads
   * @param onStoppedLeading runs when leadership ends, lost or released
   */
  LeaderElection(KubernetesClient kubernetes, String identity, Runnable onStartedLeading, Runnable onStoppedLeading) {
    this(kubernetes, identity, GO_TIMING, onStartedLeading, onStoppedLeading);
  }

  LeaderElection(
      KubernetesClient kubernetes, String identity, Timing timing, Runnable onStartedLeading, Runnable onStoppedLeading) {
    log.info("campaigning for Lease {}/{} as {}", NAMESPACE, LEASE, identity);
    running =
        kubernetes
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName("k8s-auto-healer")
                    .withLock(new LeaseLock(NAMESPACE, LEASE, identity))
                    .withLeaseDuration(timing.leaseDuration())
                    .withRenewDeadline(timing.renewDeadline())
                    .withRetryPeriod(timing.retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            onStartedLeading,
                            onStoppedLeading,
                            leader -> log.info("the leader is now {}", leader)))
                    .build())
            .build()
            .start();
  }

  /** {@code <hostname>_<uuid>}, as the Go service names itself. */
  static String identity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown";
    }
    return host + "_" + UUID.randomUUID();
  }

  /**
   * Stops campaigning and releases the lease, waiting at most a few seconds: the elector holds its
   * lock during API calls, which take long to fail when the API server is unreachable.
   */
  @Override
  public void close() {
    Thread release = new Thread(() -> running.cancel(true), "leader-election-release");
    release.setDaemon(true);
    release.start();
    try {
      release.join(RELEASE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
