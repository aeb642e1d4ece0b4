package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import java.util.Map;

/** The labels Magnum and kubeadm put on nodes, and what they say about a node. */
public final class NodeLabels {
  public static final String MASTER = "node-role.kubernetes.io/master";
  public static final String CONTROL_PLANE = "node-role.kubernetes.io/control-plane";
  public static final String MAGNUM_ROLE = "magnum.openstack.org/role";
  public static final String MAGNUM_NODEGROUP = "magnum.openstack.org/nodegroup";
  public static final String HOSTNAME = "kubernetes.io/hostname";

  private NodeLabels() {}

  /**
   * Whether the node carries either control-plane role label. Their values are empty, so callers
   * test for the key; the fabric8 mock server also ignores {@code key=} selectors.
   */
  public static boolean isMaster(Node node) {
    Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
    return labels != null && (labels.containsKey(MASTER) || labels.containsKey(CONTROL_PLANE));
  }

  public static String nodegroup(Node node) {
    Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
    return labels == null ? null : labels.get(MAGNUM_NODEGROUP);
  }
}
