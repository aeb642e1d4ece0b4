package io.autohealer.detector;

import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairSearchAttributes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the detector knows of the cluster's repairs in Temporal: the running ones (for the
 * concurrency gates) and when each node's last repair closed (for the cool-down).
 *
 * <p>It needs no visibility (the Java test server has none, and a self-hosted server may have
 * only the basic one): it is rebuilt at start by describing the workflow id of every Node, then
 * kept current by the repairs this process starts or attaches to, each watched until it closes.
 * A close seen by the watch is confirmed with a describe, so a broken long poll does not free a
 * slot while the repair still runs; and before a concurrency gate holds a repair back, the
 * running ones are described again.
 *
 * <p>Not seen: a repair started by someone else while this process runs, and, after a restart,
 * the running repair of a node whose Node object is already gone (a replacement at its very end).
 * The workflow id still keeps either from running twice for one node.
 *
 * <p>Thread-safe: called on the detector's thread and completed on Temporal's.
 */
final class RepairRegistry {
  private static final Logger log = LoggerFactory.getLogger(RepairRegistry.class);
  private static final Duration REWATCH_DELAY = Duration.ofSeconds(5);
  private static final Duration REFRESH_INTERVAL = Duration.ofSeconds(5);

  /** A running repair. */
  record Running(String cluster, String node, NodeRole role, String workflowId, String runId) {}

  private final WorkflowClient client;
  private final Clock clock;
  /** Workflow id to the running repair. */
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  /** Workflow id to when its latest run closed (empty: never ran). */
  private final Map<String, Optional<Instant>> lastClosed = new ConcurrentHashMap<>();
  private volatile Consumer<Running> closeListener = r -> {};
  private volatile boolean rebuilt;
  private volatile Instant lastRefresh = Instant.MIN;
  private volatile boolean closed;

  RepairRegistry(WorkflowClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Told of each repair seen to close, on a Temporal thread. */
  void onClose(Consumer<Running> listener) {
    this.closeListener = listener;
  }

  /**
   * Describes the repair workflow of every node: the running ones are watched, the closed ones
   * give the cool-down its start. Call again after a failure (see {@link #rebuilt()}).
   *
   * @param roles each node's role, for repairs that do not carry the RepairRole search attribute
   * @return false when Temporal could not be read for some node
   */
  boolean rebuild(String cluster, Map<String, NodeRole> roles) {
    boolean complete = true;
    for (Map.Entry<String, NodeRole> node : roles.entrySet()) {
      try {
        describe(cluster, node.getKey(), node.getValue());
      } catch (RuntimeException e) {
        log.warn("cannot read the repair of node {} from Temporal: {}", node.getKey(), e.toString());
        complete = false;
        break; // Temporal is down; do not wait for a timeout per node.
      }
    }
    rebuilt = complete;
    if (complete) {
      log.info("{} running repair(s) of cluster {} found among {} nodes", running(cluster).size(), cluster, roles.size());
    }
    return complete;
  }

  /** Whether the last {@link #rebuild} read every node. */
  boolean rebuilt() {
    return rebuilt;
  }

  boolean isRunning(String workflowId) {
    return running.containsKey(workflowId);
  }

  Optional<String> runId(String workflowId) {
    return Optional.ofNullable(running.get(workflowId)).map(Running::runId);
  }

  /** The running repairs of the cluster known to this process. */
  List<Running> running(String cluster) {
    return running.values().stream().filter(r -> r.cluster().equals(cluster)).toList();
  }

  /**
   * Describes every known running repair again (at most every few seconds) and drops those that
   * closed, so that a lost close notification cannot hold new repairs back for ever.
   */
  void refresh() {
    Instant now = clock.instant();
    if (now.isBefore(lastRefresh.plus(REFRESH_INTERVAL))) {
      return;
    }
    lastRefresh = now;
    for (Running repair : List.copyOf(running.values())) {
      try {
        describe(repair.cluster(), repair.node(), repair.role());
      } catch (RuntimeException e) {
        log.debug("cannot refresh repair {}: {}", repair.workflowId(), e.toString());
      }
    }
  }

  /**
   * When the node's last repair closed: from memory, else from Temporal (which also finds a
   * running repair this process did not know of, and tracks it).
   *
   * @return empty when the node has never been repaired (or its history is past retention)
   * @throws RuntimeException when Temporal cannot be read
   */
  Optional<Instant> lastClosed(String cluster, String node, NodeRole role) {
    String workflowId = RepairIds.workflowId(cluster, node);
    Optional<Instant> known = lastClosed.get(workflowId);
    if (known != null) {
      return known;
    }
    describe(cluster, node, role);
    return lastClosed.getOrDefault(workflowId, Optional.empty());
  }

  /** Forgets the cached history of a node that is gone (a running repair stays tracked). */
  void forget(String cluster, String node) {
    lastClosed.remove(RepairIds.workflowId(cluster, node));
  }

  /** Tracks a repair this process started or attached to, until it closes. */
  void started(String cluster, String node, NodeRole role, String runId) {
    track(new Running(cluster, node, role, RepairIds.workflowId(cluster, node), runId));
  }

  void close() {
    closed = true;
  }

  private void describe(String cluster, String node, NodeRole role) {
    String workflowId = RepairIds.workflowId(cluster, node);
    WorkflowExecutionDescription description;
    try {
      description = client.newUntypedWorkflowStub(workflowId).describe();
    } catch (WorkflowNotFoundException e) {
      lastClosed.put(workflowId, Optional.empty());
      Running gone = running.remove(workflowId);
      if (gone != null) {
        closeListener.accept(gone);
      }
      return;
    }
    String runId = description.getExecution().getRunId();
    if (description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      NodeRole actualRole = roleOf(description).orElse(role);
      track(new Running(cluster, node, actualRole, workflowId, runId));
    } else {
      Instant closedAt = Optional.ofNullable(description.getCloseTime()).orElseGet(clock::instant);
      lastClosed.put(workflowId, Optional.of(closedAt));
      Running gone = running.remove(workflowId);
      if (gone != null) {
        log.debug("repair {} closed at {}", workflowId, closedAt);
        closeListener.accept(gone);
      }
    }
  }

  private static Optional<NodeRole> roleOf(WorkflowExecutionDescription description) {
    try {
      String role = description.getTypedSearchAttributes().get(RepairSearchAttributes.ROLE);
      return role == null ? Optional.empty() : Optional.of(NodeRole.valueOf(role));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private void track(Running repair) {
    Running previous = running.put(repair.workflowId(), repair);
    lastClosed.remove(repair.workflowId());
    if (previous != null && previous.runId().equals(repair.runId())) {
      return;
    }
    watch(repair);
  }

  /** Waits for the run to close, then confirms it with a describe. */
  private void watch(Running repair) {
    if (closed) {
      return;
    }
    client
        .newUntypedWorkflowStub(repair.workflowId(), Optional.of(repair.runId()), Optional.empty())
        .getResultAsync(Object.class)
        .whenComplete((result, failure) -> confirm(repair));
  }

  private void confirm(Running repair) {
    if (closed || !repair.equals(running.get(repair.workflowId()))) {
      return; // superseded by a newer run, or no longer tracked
    }
    try {
      describe(repair.cluster(), repair.node(), repair.role());
    } catch (RuntimeException e) {
      log.debug("cannot confirm the close of {}: {}", repair.workflowId(), e.toString());
    }
    Running now = running.get(repair.workflowId());
    if (now != null && now.runId().equals(repair.runId())) {
      // Still running (the long poll broke) or unknown: watch again a little later.
      CompletableFuture.delayedExecutor(REWATCH_DELAY.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> {
            if (now.equals(running.get(repair.workflowId()))) {
              watch(now);
            }
          });
    }
  }
}
