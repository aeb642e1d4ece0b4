package io.autohealer.config;

import java.time.Duration;

/**
 * The {@code leader-election} section (not in the Go service, which hard-codes these values). Used
 * when {@code leader-elect} is true: replicas campaign for a coordination.k8s.io Lease and only the
 * holder acts; one that loses it exits at once.
 *
 * @param namespace {@code leader-election.namespace} (default {@code kube-system})
 * @param name {@code leader-election.name}: the Lease (default {@code magnum-auto-healer}, as in Go)
 * @param leaseDuration {@code leader-election.lease-duration} (20s): how long a standby waits after
 *     the last renewal before it takes over
 * @param renewDeadline {@code leader-election.renew-deadline} (15s, less than lease-duration): how
 *     long the leader keeps trying to renew before it gives up leading
 * @param retryPeriod {@code leader-election.retry-period} (5s; renew-deadline must exceed 1.2 times
 *     it): the interval between attempts
 */
public record LeaderElectionSettings(
    String namespace, String name, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

  public static final String DEFAULT_NAMESPACE = "kube-system";
  public static final String DEFAULT_NAME = "magnum-auto-healer";
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(20);
  public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(5);
  /** client-go's and fabric8's jitter factor: renew-deadline must exceed retry-period times this. */
  public static final double JITTER_FACTOR = 1.2;

  /** The Go service's Lease and timings. */
  public static LeaderElectionSettings defaults() {
    return new LeaderElectionSettings(
        DEFAULT_NAMESPACE, DEFAULT_NAME, DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD);
  }
}
