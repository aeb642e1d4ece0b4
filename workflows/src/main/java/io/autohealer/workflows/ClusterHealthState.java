package io.autohealer.workflows;

import java.time.Instant;

/**
 * What {@link ClusterHealthWorkflow} knows, for operators (its query) and tests.
 *
 * @param cluster the Magnum cluster
 * @param lastWritten the report last written to Magnum, or null
 * @param lastWrittenAt when (workflow time), or null
 * @param latest the newest report received from the detector, or null
 * @param latestReceivedAt when (workflow time), or null
 * @param reportsThisRun reports received by this run
 * @param writesThisRun writes to Magnum made by this run
 * @param failedWritesThisRun writes that failed (after their retries) in this run
 * @param lastError why the last failed write failed, or null once a write succeeded again
 */
public record ClusterHealthState(
    String cluster,
    HealthReport lastWritten,
    Instant lastWrittenAt,
    HealthReport latest,
    Instant latestReceivedAt,
    int reportsThisRun,
    int writesThisRun,
    int failedWritesThisRun,
    String lastError) {}
