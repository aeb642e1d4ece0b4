package io.autohealer.cli;

import java.util.List;
import java.util.Set;

/**
 * Finds the repairs of a cluster. Two ways: a visibility query on the RepairCluster search
 * attribute ({@link VisibilityRepairFinder}), which needs a Temporal server with visibility (any
 * real server, the CLI's dev server); and, for the Java test server, which has none, the cluster's
 * Nodes listed through Kubernetes with {@code repair-<cluster>-<node>} described for each ({@link
 * NodeListRepairFinder}).
 */
public interface RepairFinder {

  /** Which way this is, for people: e.g. {@code visibility query RepairCluster="c1"}. */
  String describe(Request request);

  /**
   * @return the repairs found, newest start first, at most {@code request.limit()}
   * @throws VisibilityUnsupportedException when this finder needs visibility the server lacks
   */
  List<RepairSummary> find(Request request);

  /**
   * @param cluster the cluster
   * @param runningOnly only running repairs
   * @param limit at most this many
   * @param extraNodes nodes to look up besides the cluster's current Nodes (the Node-list way
   *     cannot see a node whose Node object is gone, e.g. a replaced worker); a visibility query
   *     lists every repair anyway
   */
  record Request(String cluster, boolean runningOnly, int limit, Set<String> extraNodes) {}

  /** The server answered UNIMPLEMENTED to a visibility query (the Java test server). */
  final class VisibilityUnsupportedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VisibilityUnsupportedException(Throwable cause) {
      super("the Temporal server does not support visibility queries (ListWorkflowExecutions): "
          + Failures.rootMessage(cause), cause);
    }
  }
}
