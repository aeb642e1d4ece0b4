package io.autohealer.workflows;

import java.time.Duration;

/**
 * How {@link ClusterHealthWorkflow} reports to Magnum.
 *
 * @param refreshInterval the unchanged status is written again this long after the last write
 *     (so that Magnum's own view, or another writer's, does not stay in place)
 * @param staleAfter with no report from the detector for this long, the status is written as
 *     UNKNOWN once (a dead detector must not leave a HEALTHY behind)
 * @param retryInterval after a write failed (its activity retries exhausted), the next try waits
 *     this long
 * @param maxReportsPerRun after this many reports received plus writes made, the workflow
 *     continues as new, which bounds its history
 */
public record HealthReportPolicy(
    Duration refreshInterval, Duration staleAfter, Duration retryInterval, int maxReportsPerRun) {

  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);

  public static HealthReportPolicy defaults() {
    return new HealthReportPolicy(DEFAULT_REFRESH_INTERVAL, Duration.ofMinutes(15), Duration.ofMinutes(1), 500);
  }
}
