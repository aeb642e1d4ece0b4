package io.autohealer.cli;

import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairSearchAttributes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributes;
import java.time.Instant;

/**
 * One repair (one workflow run) as Temporal describes or lists it, without asking its workflow.
 *
 * @param cluster the cluster it repairs
 * @param node the node, from the RepairNode search attribute (or the workflow id)
 * @param workflowId {@code repair-<cluster>-<node>}
 * @param runId the run
 * @param executionStatus Temporal's status of the run: Running, Completed, Failed, Canceled,
 *     Terminated, ContinuedAsNew or TimedOut
 * @param role RepairRole search attribute, or null
 * @param phase RepairPhase search attribute, or null
 * @param outcome RepairOutcome search attribute ({@code RUNNING} while it runs), or null
 * @param failedCheck RepairFailedCheck search attribute, or null
 * @param started when the run started
 * @param closed when it closed, null while it runs
 */
public record RepairSummary(
    String cluster,
    String node,
    String workflowId,
    String runId,
    String executionStatus,
    String role,
    String phase,
    String outcome,
    String failedCheck,
    Instant started,
    Instant closed) {

  public boolean running() {
    return "Running".equals(executionStatus);
  }

  static RepairSummary of(String cluster, WorkflowExecutionMetadata metadata) {
    SearchAttributes attributes = metadata.getTypedSearchAttributes();
    String workflowId = metadata.getExecution().getWorkflowId();
    String node = attributes.get(RepairSearchAttributes.NODE);
    if (node == null) {
      String prefix = RepairIds.workflowId(cluster, "");
      node = workflowId.startsWith(prefix) ? workflowId.substring(prefix.length()) : workflowId;
    }
    String attributeCluster = attributes.get(RepairSearchAttributes.CLUSTER);
    return new RepairSummary(
        attributeCluster != null ? attributeCluster : cluster,
        node,
        workflowId,
        metadata.getExecution().getRunId(),
        statusName(metadata.getStatus()),
        attributes.get(RepairSearchAttributes.ROLE),
        attributes.get(RepairSearchAttributes.PHASE),
        attributes.get(RepairSearchAttributes.OUTCOME),
        attributes.get(RepairSearchAttributes.FAILED_CHECK),
        metadata.getStartTime(),
        metadata.getCloseTime());
  }

  /** {@code WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW} → {@code ContinuedAsNew}. */
  static String statusName(WorkflowExecutionStatus status) {
    String name = status.name().replaceFirst("^WORKFLOW_EXECUTION_STATUS_", "");
    StringBuilder out = new StringBuilder();
    for (String part : name.split("_")) {
      if (!part.isEmpty()) {
        out.append(part.charAt(0)).append(part.substring(1).toLowerCase());
      }
    }
    return out.toString();
  }
}
