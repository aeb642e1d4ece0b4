package io.autohealer.detector;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;
import java.util.Map;

/** Node objects for tests. */
final class TestNodes {
  static final String SERVER_ID = "8f0c3ad9-caf5-45b6-bf3a-97b3bb6de623";

  private TestNodes() {}

  /** A worker with one Ready condition of the given status since {@code since}. */
  static NodeBuilder worker(String name, String ready, Instant since) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(NodeFacts.NODEGROUP_LABEL, "default-worker")
        .endMetadata()
        .withNewSpec()
        .withProviderID("openstack:///" + SERVER_ID)
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .withLastTransitionTime(since.toString())
        .endCondition()
        .addNewAddress()
        .withType("InternalIP")
        .withAddress("10.0.10.34")
        .endAddress()
        .addNewAddress()
        .withType("Hostname")
        .withAddress(name)
        .endAddress()
        .endStatus();
  }

  static NodeBuilder master(String name, String ready, Instant since) {
    return worker(name, ready, since).editMetadata().withLabels(Map.of(NodeFacts.CONTROL_PLANE_LABEL, "")).endMetadata();
  }

  /** A copy of the node with one more label (objects from the client must not be modified). */
  static Node relabel(Node node, String key, String value) {
    return new NodeBuilder(node).editMetadata().addToLabels(key, value).endMetadata().build();
  }

  /** A copy of the node with the status of another. */
  static Node withStatus(Node node, Node statusFrom) {
    return new NodeBuilder(node).withStatus(statusFrom.getStatus()).build();
  }
}
