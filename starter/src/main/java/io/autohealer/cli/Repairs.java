package io.autohealer.cli;

import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.grpc.Status;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The repairs of one cluster in Temporal: describe, ask for status, read results, signal. */
public final class Repairs implements AutoCloseable {
  /** How long the CLI waits for the status query of a repair (a worker must answer it). */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
  private static final int QUERY_THREADS = 8;

  private final WorkflowClient client;
  private final String cluster;
  private final String address;
  private ExecutorService queries;

  public Repairs(WorkflowClient client, String cluster, String address) {
    this.client = client;
    this.cluster = cluster;
    this.address = address;
  }

  public String cluster() {
    return cluster;
  }

  public String workflowId(String node) {
    return RepairIds.workflowId(cluster, node);
  }

  /** The latest repair of a node; empty when there is none. */
  public Optional<RepairSummary> find(String node) {
    return describe(node).map(d -> RepairSummary.of(cluster, d));
  }

  /** The latest repair of a node, or a {@link CliFailure} saying there is none. */
  public RepairSummary require(String node) {
    return find(node).orElseThrow(() -> notFound(node));
  }

  /** The failure of a node without a repair. */
  public CliFailure notFound(String node) {
    return new CliFailure("no repair of node " + node + " in cluster " + cluster + " (workflow "
        + workflowId(node) + " not found in namespace " + client.getOptions().getNamespace() + ")");
  }

  /** The Temporal description of the node's latest repair, with its static summary. */
  public Optional<WorkflowExecutionDescription> describe(String node) {
    try {
      return Optional.of(client.newUntypedWorkflowStub(workflowId(node)).describe());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      if (Failures.hasCode(e, Status.Code.NOT_FOUND)) {
        return Optional.empty();
      }
      throw temporalFailure("describing " + workflowId(node), e);
    }
  }

  /** The {@code status} query of a run, answered by a worker, or why there is no answer. */
  public StatusAnswer status(RepairSummary repair) {
    return statuses(List.of(repair)).get(repair.runId());
  }

  /** The status queries of many runs, in parallel, each bounded by {@link #QUERY_TIMEOUT}; by run id. */
  public Map<String, StatusAnswer> statuses(List<RepairSummary> repairs) {
    Map<String, CompletableFuture<RepairStatus>> futures = new LinkedHashMap<>();
    for (RepairSummary repair : repairs) {
      RepairNodeWorkflow stub =
          client.newWorkflowStub(RepairNodeWorkflow.class, repair.workflowId(), Optional.of(repair.runId()));
      futures.put(repair.runId(), CompletableFuture.supplyAsync(stub::status, executor()));
    }
    long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
    Map<String, StatusAnswer> answers = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<RepairStatus>> entry : futures.entrySet()) {
      answers.put(entry.getKey(), await(entry.getValue(), deadline));
    }
    return answers;
  }

  private StatusAnswer await(CompletableFuture<RepairStatus> future, long deadline) {
    try {
      long left = Math.max(0, deadline - System.nanoTime());
      return StatusAnswer.of(future.get(left, TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      future.cancel(true);
      return StatusAnswer.error("no answer to the status query within " + QUERY_TIMEOUT.toSeconds()
          + "s (is a worker polling task queue " + RepairIds.taskQueue(cluster) + "?)");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (Failures.unreachable(cause)) {
        return StatusAnswer.error("no answer to the status query (is a worker polling task queue "
            + RepairIds.taskQueue(cluster) + "?): " + Failures.rootMessage(cause));
      }
      return StatusAnswer.error("status query failed: " + Failures.rootMessage(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return StatusAnswer.error("interrupted");
    }
  }

  /** What a closed run returned, or how it failed; empty while it runs. */
  public Optional<Outcome> result(RepairSummary repair) {
    if (repair.running()) {
      return Optional.empty();
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(repair.workflowId(), Optional.of(repair.runId()), Optional.empty());
    try {
      return Optional.of(new Outcome(stub.getResult(10, TimeUnit.SECONDS, RepairResult.class), null));
    } catch (WorkflowFailedException e) {
      return Optional.of(new Outcome(null, describeFailure(e)));
    } catch (TimeoutException | WorkflowException e) {
      return Optional.of(new Outcome(null, "result not available: " + Failures.rootMessage(e)));
    } catch (RuntimeException e) {
      throw temporalFailure("reading the result of " + repair.workflowId(), e);
    }
  }

  private static String describeFailure(WorkflowFailedException e) {
    Throwable cause = e.getCause();
    if (cause instanceof TerminatedFailure t) {
      return "terminated: " + t.getOriginalMessage();
    }
    if (cause instanceof CanceledFailure) {
      return "cancelled through Temporal (not the cancel signal)";
    }
    if (cause instanceof TimeoutFailure t) {
      return "timed out (" + t.getTimeoutType() + ")";
    }
    if (cause instanceof ApplicationFailure a) {
      return "failed: " + a.getOriginalMessage() + " [" + a.getType() + "]";
    }
    if (cause instanceof TemporalFailure t) {
      return "failed: " + t.getOriginalMessage();
    }
    return "failed: " + Failures.rootMessage(e);
  }

  /** Sends an operator signal to a running run. */
  public void signal(RepairSummary repair, OperatorAction action, OperatorRequest request) {
    RepairNodeWorkflow stub =
        client.newWorkflowStub(RepairNodeWorkflow.class, repair.workflowId(), Optional.of(repair.runId()));
    try {
      action.send(stub, request);
    } catch (WorkflowNotFoundException e) {
      throw new CliFailure("the repair of node " + repair.node() + " (" + repair.workflowId()
          + ") ended before it got the " + action.verb() + " signal", e);
    } catch (RuntimeException e) {
      if (Failures.hasCode(e, Status.Code.NOT_FOUND)) {
        throw new CliFailure("the repair of node " + repair.node() + " (" + repair.workflowId()
            + ") ended before it got the " + action.verb() + " signal", e);
      }
      throw temporalFailure("signalling " + action.verb() + " to " + repair.workflowId(), e);
    }
  }

  /** A Temporal error as a {@link CliFailure} that says what was being done and where. */
  CliFailure temporalFailure(String doing, RuntimeException e) {
    if (e instanceof CliFailure f) {
      return f;
    }
    if (Failures.unreachable(e)) {
      return new CliFailure("cannot reach Temporal at " + address + " while " + doing + ": "
          + Failures.rootMessage(e), e);
    }
    return new CliFailure(doing + " failed: " + Failures.rootMessage(e), e);
  }

  private synchronized ExecutorService executor() {
    if (queries == null) {
      queries = Executors.newFixedThreadPool(QUERY_THREADS, r -> {
        Thread t = new Thread(r, "status-query");
        t.setDaemon(true);
        return t;
      });
    }
    return queries;
  }

  @Override
  public synchronized void close() {
    if (queries != null) {
      queries.shutdownNow();
    }
  }

  /** The answer to a status query: the status, or why there is none. */
  public record StatusAnswer(RepairStatus status, String error) {
    static StatusAnswer of(RepairStatus status) {
      return new StatusAnswer(status, null);
    }

    static StatusAnswer error(String error) {
      return new StatusAnswer(null, error);
    }
  }

  /** How a closed run ended: its result, or the failure that closed it. */
  public record Outcome(RepairResult result, String failure) {}
}
