package io.autohealer.worker.kubernetes;

import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the healer reads from the labels and annotations it owns on a Node. */
public final class NodeMarks {
  private static final Logger log = LoggerFactory.getLogger(NodeMarks.class);

  private NodeMarks() {}

  /**
   * Whether the node carries {@link KubernetesActivities#OPT_OUT} "true" as a label or an
   * annotation. Any case of "true" counts: a person who wrote "True" meant it, and leaving a node
   * alone is the safe reading.
   */
  public static boolean optedOut(Node node) {
    if (node == null || node.getMetadata() == null) {
      return false;
    }
    return isTrue(node.getMetadata().getLabels()) || isTrue(node.getMetadata().getAnnotations());
  }

  /**
   * When the healer last rebooted the node ({@link KubernetesActivities#REBOOTED_AT}, ISO-8601
   * with an offset), or null when it is absent or unreadable (logged: a person may have edited it).
   */
  public static Instant rebootedAt(Node node) {
    Map<String, String> annotations = node == null || node.getMetadata() == null
        ? null : node.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(KubernetesActivities.REBOOTED_AT);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.trim()).toInstant();
    } catch (DateTimeParseException e) {
      log.warn("Node {} has an unreadable {} annotation '{}'; ignoring it",
          node.getMetadata().getName(), KubernetesActivities.REBOOTED_AT, value);
      return null;
    }
  }

  private static boolean isTrue(Map<String, String> values) {
    return values != null && "true".equalsIgnoreCase(String.valueOf(values.get(KubernetesActivities.OPT_OUT)).trim());
  }
}
