package io.autohealer.detector;

import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairSearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one {@link RepairNodeWorkflow} per node. The workflow id is deterministic and a start for
 * a node whose repair is running attaches to it ({@code USE_EXISTING}): that is the real guard
 * against two repairs of one node, across restarts and replicas. On top of it, this starter's
 * {@link RepairRegistry} remembers the running repairs until they close, so that the detector does
 * not call Temporal for them on every tick and can count them for the concurrency gates.
 */
public final class RepairStarter {
  private static final Logger log = LoggerFactory.getLogger(RepairStarter.class);
  /** The Web UI's limit on a static summary, in bytes. */
  private static final int SUMMARY_LIMIT = 400;

  private final WorkflowClient client;
  private final RepairRegistry registry;

  public RepairStarter(WorkflowClient client) {
    this(client, Clock.systemUTC());
  }

  public RepairStarter(WorkflowClient client, Clock clock) {
    this.client = client;
    this.registry = new RepairRegistry(client, clock);
  }

  /** The running repairs and the nodes' last repairs, as far as this process knows. */
  RepairRegistry registry() {
    return registry;
  }

  /** Whether a repair of the node is running, as far as this process knows. */
  public boolean isRunning(String cluster, String node) {
    return registry.isRunning(RepairIds.workflowId(cluster, node));
  }

  /** The run id of the node's running repair, if this process knows of it. */
  public Optional<String> runId(String cluster, String node) {
    return registry.runId(RepairIds.workflowId(cluster, node));
  }

  /**
   * Starts the repair, or attaches to the running repair of the same node.
   *
   * @return the execution started, or the running one attached to
   * @throws io.temporal.client.WorkflowServiceException when Temporal cannot be reached
   */
  public WorkflowExecution start(RepairRequest request) {
    String workflowId = RepairIds.workflowId(request.cluster(), request.node());
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setTaskQueue(RepairIds.taskQueue(request.cluster()))
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
            .setStaticSummary(truncate(request.summary()))
            .setTypedSearchAttributes(searchAttributes(request))
            .build();
    RepairNodeWorkflow workflow = client.newWorkflowStub(RepairNodeWorkflow.class, options);
    WorkflowExecution execution = WorkflowClient.start(workflow::repair, request);
    registry.started(request.cluster(), request.node(), request.role(), execution.getRunId());
    log.debug("repair {} run {} started or attached to", workflowId, execution.getRunId());
    return execution;
  }

  static SearchAttributes searchAttributes(RepairRequest request) {
    return SearchAttributes.newBuilder()
        .set(RepairSearchAttributes.CLUSTER, request.cluster())
        .set(RepairSearchAttributes.NODE, request.node())
        .set(RepairSearchAttributes.ROLE, request.role().name())
        .set(RepairSearchAttributes.PHASE, RepairPhase.VERIFYING.name())
        .set(RepairSearchAttributes.OUTCOME, RepairSearchAttributes.OUTCOME_RUNNING)
        .set(RepairSearchAttributes.FAILED_CHECK, request.failedCheck())
        .build();
  }

  static String truncate(String summary) {
    byte[] bytes = summary.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= SUMMARY_LIMIT) {
      return summary;
    }
    String cut = new String(bytes, 0, SUMMARY_LIMIT - 3, StandardCharsets.UTF_8);
    // A multi-byte character cut in half decodes to U+FFFD; drop it.
    return cut.replaceAll("\uFFFD$", "") + "...";
  }
}
