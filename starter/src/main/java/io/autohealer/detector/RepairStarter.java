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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one {@link RepairNodeWorkflow} per node. The workflow id is deterministic and a start for
 * a node whose repair is running attaches to it ({@code USE_EXISTING}): that is the real guard
 * against two repairs of one node, across restarts and replicas. On top of it, this starter
 * remembers the repairs it started until they close, so that the detector does not call Temporal
 * for them on every tick.
 */
public final class RepairStarter {
  private static final Logger log = LoggerFactory.getLogger(RepairStarter.class);
  /** The Web UI's limit on a static summary, in bytes. */
  private static final int SUMMARY_LIMIT = 400;

  private final WorkflowClient client;
  /** Workflow id to run id of the repairs started or attached to and not yet seen to close. */
  private final Map<String, String> running = new ConcurrentHashMap<>();

  public RepairStarter(WorkflowClient client) {
    this.client = client;
  }

  /** Whether a repair of the node started by this process is running, as far as it knows. */
  public boolean isRunning(String cluster, String node) {
    return running.containsKey(RepairIds.workflowId(cluster, node));
  }

  /** The run id of the node's running repair, if this process started or attached to it. */
  public Optional<String> runId(String cluster, String node) {
    return Optional.ofNullable(running.get(RepairIds.workflowId(cluster, node)));
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
    track(workflowId, execution.getRunId());
    return execution;
  }

  private void track(String workflowId, String runId) {
    if (runId.equals(running.put(workflowId, runId))) {
      return;
    }
    client
        .newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty())
        .getResultAsync(Object.class)
        .whenComplete(
            (result, failure) -> {
              running.remove(workflowId, runId);
              log.debug("repair {} run {} closed", workflowId, runId);
            });
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
