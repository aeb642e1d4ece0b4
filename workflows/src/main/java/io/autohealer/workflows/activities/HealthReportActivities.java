package io.autohealer.workflows.activities;

import io.autohealer.workflows.HealthReport;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Writes a cluster's health to Magnum, for {@link io.autohealer.workflows.ClusterHealthWorkflow}. */
@ActivityInterface
public interface HealthReportActivities {

  /**
   * PATCHes the cluster's {@code /health_status} and {@code /health_status_reason}, the reason in the
   * Go service's format (a JSON map with {@code '} for {@code "}), masters listed too. Transient
   * errors (no answer, 5xx, 409, 429) are retryable; others (403 policy, 404 cluster) are not.
   * Magnum applies the change only while the cluster is in a *_COMPLETE state.
   */
  @ActivityMethod
  HealthReported reportHealth(ReportHealth request);

  record ReportHealth(String cluster, HealthReport report) {}

  /** @param status the health_status sent; @param reason the health_status_reason sent */
  record HealthReported(String status, String reason) {}
}
