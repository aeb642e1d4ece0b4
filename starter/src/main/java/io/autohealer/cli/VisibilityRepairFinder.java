package io.autohealer.cli;

import io.autohealer.workflows.RepairSearchAttributes;
import io.grpc.Status;
import io.temporal.client.WorkflowClient;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Lists the repairs of a cluster with the visibility query {@code RepairCluster="<cluster>"}. */
public final class VisibilityRepairFinder implements RepairFinder {
  private final WorkflowClient client;

  public VisibilityRepairFinder(WorkflowClient client) {
    this.client = client;
  }

  /** The visibility query of a request. */
  public static String query(Request request) {
    String query = RepairSearchAttributes.CLUSTER.getName() + "=" + quote(request.cluster());
    return request.runningOnly() ? query + " AND ExecutionStatus=\"Running\"" : query;
  }

  @Override
  public String describe(Request request) {
    return "visibility query " + query(request);
  }

  @Override
  public List<RepairSummary> find(Request request) {
    try {
      return client.listExecutions(query(request))
          .limit(request.limit())
          .map(metadata -> RepairSummary.of(request.cluster(), metadata))
          .sorted(Comparator.comparing(RepairSummary::started, Comparator.nullsLast(Comparator.reverseOrder())))
          .collect(Collectors.toList());
    } catch (RuntimeException e) {
      if (Failures.hasCode(e, Status.Code.UNIMPLEMENTED)) {
        throw new VisibilityUnsupportedException(e);
      }
      if (Failures.hasCode(e, Status.Code.INVALID_ARGUMENT)) {
        throw new CliFailure("the visibility query " + query(request) + " was rejected: "
            + Failures.rootMessage(e) + " (are the Repair* search attributes registered on the server?)", e);
      }
      throw e;
    }
  }

  static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
