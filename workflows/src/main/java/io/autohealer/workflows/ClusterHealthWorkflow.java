package io.autohealer.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Reports a cluster's health to Magnum ({@code health_status}, {@code health_status_reason}) on
 * behalf of the detector, which holds no OpenStack credentials. One long-lived run per cluster:
 * workflow id {@link RepairIds#healthWorkflowId}, task queue {@link RepairIds#taskQueue}; the
 * detector signal-with-starts it with each {@link HealthReport}.
 *
 * <p>It writes to Magnum only when the reported state changes, every {@link
 * HealthReportPolicy#refreshInterval()} while reports keep coming, and once UNKNOWN when they stop
 * for {@link HealthReportPolicy#staleAfter()}. A failed write is logged and tried again later; it
 * never fails the workflow, and repairs never wait for it. It continues as new every {@link
 * HealthReportPolicy#maxReportsPerRun()} reports and writes, and never completes on its own.
 */
@WorkflowInterface
public interface ClusterHealthWorkflow {

  /** Runs until cancelled or terminated; returns its state only then (never on its own). */
  @WorkflowMethod
  ClusterHealthState watch(ClusterHealthRequest request);

  /** The detector's newest view of the cluster. */
  @SignalMethod
  void report(HealthReport report);

  @QueryMethod
  ClusterHealthState state();
}
