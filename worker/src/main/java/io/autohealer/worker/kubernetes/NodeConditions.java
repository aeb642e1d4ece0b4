package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import java.util.Optional;

/** Reads the conditions and cordon state of a Node; null-safe at every level. */
public final class NodeConditions {
  public static final String READY = "Ready";
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";
  /** What {@link #readyStatus} reports for a node that has no Ready condition (yet). */
  public static final String MISSING = "Missing";

  private NodeConditions() {}

  public static Optional<NodeCondition> condition(Node node, String type) {
    return node == null ? Optional.empty() : condition(node.getStatus(), type);
  }

  public static Optional<NodeCondition> condition(NodeStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** The Ready condition's status (True, False, Unknown), or {@link #MISSING}. */
  public static String readyStatus(Node node) {
    return condition(node, READY).map(NodeCondition::getStatus).orElse(MISSING);
  }

  public static boolean isReady(Node node) {
    return TRUE.equals(readyStatus(node));
  }

  public static boolean isCordoned(Node node) {
    return node != null && node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
  }
}
