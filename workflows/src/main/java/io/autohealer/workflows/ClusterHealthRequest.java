package io.autohealer.workflows;

import java.time.Instant;

/**
 * The one input of {@link ClusterHealthWorkflow}: the cluster, the policy, and what an earlier run
 * handed over when it continued as new (all null on a first start).
 *
 * @param cluster the Magnum cluster (uuid or name, the Go service's {@code cluster-name})
 * @param policy how to report; null means {@link HealthReportPolicy#defaults()}
 * @param lastWritten the report last written to Magnum, or null
 * @param lastWrittenAt when it was written (workflow time), or null
 * @param latest the newest report received, or null
 * @param latestReceivedAt when it was received (workflow time), or null
 */
public record ClusterHealthRequest(
    String cluster,
    HealthReportPolicy policy,
    HealthReport lastWritten,
    Instant lastWrittenAt,
    HealthReport latest,
    Instant latestReceivedAt) {

  /** A first start, with the default policy. */
  public static ClusterHealthRequest start(String cluster) {
    return new ClusterHealthRequest(cluster, HealthReportPolicy.defaults(), null, null, null, null);
  }
}
