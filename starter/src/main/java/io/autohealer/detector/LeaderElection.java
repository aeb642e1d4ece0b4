package io.autohealer.detector;

import io.autohealer.config.GoDuration;
import io.autohealer.config.LeaderElectionSettings;
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
 * Leader election with a coordination.k8s.io Lease, as the Go service does. By default the Go
 * service's Lease {@code kube-system/magnum-auto-healer} and timings (lease 20s, renew deadline 15s,
 * retry 5s); the {@code leader-election} config section changes them. The lease is released on
 * close so that another replica takes over at once.
 */
final class LeaderElection implements AutoCloseable {
  static final String NAMESPACE = LeaderElectionSettings.DEFAULT_NAMESPACE;
  static final String LEASE = LeaderElectionSettings.DEFAULT_NAME;
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

  private final CompletableFuture<?> running;

  /**
   * Starts campaigning with the Go service's Lease and timings.
   *
   * @param onStartedLeading runs once this replica leads
   * @param onStoppedLeading runs when leadership ends, lost or released
   */
  LeaderElection(KubernetesClient kubernetes, String identity, Runnable onStartedLeading, Runnable onStoppedLeading) {
    this(kubernetes, LeaderElectionSettings.defaults(), identity, onStartedLeading, onStoppedLeading);
  }

  LeaderElection(
      KubernetesClient kubernetes,
      LeaderElectionSettings settings,
      String identity,
      Runnable onStartedLeading,
      Runnable onStoppedLeading) {
    log.info("campaigning for Lease {}/{} as {} (lease-duration {}, renew-deadline {}, retry-period {})",
        settings.namespace(), settings.name(), identity, GoDuration.format(settings.leaseDuration()),
        GoDuration.format(settings.renewDeadline()), GoDuration.format(settings.retryPeriod()));
    running =
        kubernetes
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName("k8s-auto-healer")
                    .withLock(new LeaseLock(settings.namespace(), settings.name(), identity))
                    .withLeaseDuration(settings.leaseDuration())
                    .withRenewDeadline(settings.renewDeadline())
                    .withRetryPeriod(settings.retryPeriod())
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
