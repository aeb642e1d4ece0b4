package io.autohealer.detector;

import io.autohealer.workflows.ClusterHealthRequest;
import io.autohealer.workflows.ClusterHealthWorkflow;
import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.RepairIds;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;

/**
 * Sends each health report to the cluster's {@link ClusterHealthWorkflow} with signal-with-start:
 * the first report starts it, later ones signal the running one. The detector holds no OpenStack
 * credentials; the worker that runs the workflow writes to Magnum.
 */
public final class ClusterHealthSignaller implements HealthReporter.Sink {
  private final WorkflowClient client;
  private final String cluster;
  private final WorkflowOptions options;

  public ClusterHealthSignaller(WorkflowClient client, String cluster) {
    this.client = client;
    this.cluster = cluster;
    this.options = WorkflowOptions.newBuilder()
        .setWorkflowId(RepairIds.healthWorkflowId(cluster))
        .setTaskQueue(RepairIds.taskQueue(cluster))
        // A run that was terminated or failed is replaced by a new one.
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("Reports the health of cluster " + cluster + " to Magnum")
        .build();
  }

  @Override
  public void send(HealthReport report) {
    ClusterHealthWorkflow workflow = client.newWorkflowStub(ClusterHealthWorkflow.class, options);
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(workflow::watch, ClusterHealthRequest.start(cluster));
    batch.add(workflow::report, report);
    client.signalWithStart(batch);
  }
}
