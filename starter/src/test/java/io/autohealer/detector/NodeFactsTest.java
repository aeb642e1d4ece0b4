package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.autohealer.workflows.NodeRole;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeFactsTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void roleFromMasterOrControlPlaneLabel() {
    assertEquals(NodeRole.WORKER, NodeFacts.role(TestNodes.worker("w", "True", T).build()));
    assertEquals(NodeRole.MASTER, NodeFacts.role(TestNodes.master("m", "True", T).build()));
    Node oldLabel =
        TestNodes.worker("m0", "True", T).editMetadata().addToLabels(NodeFacts.MASTER_LABEL, "true").endMetadata().build();
    assertEquals(NodeRole.MASTER, NodeFacts.role(oldLabel));
  }

  @Test
  void serverIdFromProviderId() {
    assertEquals(Optional.of(TestNodes.SERVER_ID), NodeFacts.serverId(TestNodes.worker("w", "True", T).build()));
    Node withRegion = withIds("openstack://RegionOne/8F0C3AD9-CAF5-45B6-BF3A-97B3BB6DE623", null);
    assertEquals(Optional.of(TestNodes.SERVER_ID), NodeFacts.serverId(withRegion));
  }

  @Test
  void serverIdFallsBackToMachineIdInDashedForm() {
    assertEquals(
        Optional.of(TestNodes.SERVER_ID), NodeFacts.serverId(withIds(null, "8f0c3ad9caf545b6bf3a97b3bb6de623")));
    assertEquals(
        Optional.of(TestNodes.SERVER_ID), NodeFacts.serverId(withIds("kwok://x", "{8F0C3AD9-CAF5-45B6-BF3A-97B3BB6DE623}")));
    assertEquals(
        Optional.of(TestNodes.SERVER_ID),
        NodeFacts.serverId(withIds("openstack:///not-a-uuid", "urn:uuid:8f0c3ad9-caf5-45b6-bf3a-97b3bb6de623")));
  }

  @Test
  void noServerIdWhenNeitherParses() {
    assertEquals(Optional.empty(), NodeFacts.serverId(withIds(null, "ec2abc")));
    assertEquals(Optional.empty(), NodeFacts.serverId(withIds(null, null)));
  }

  @Test
  void nodegroupAndAddresses() {
    Node node = TestNodes.worker("w1", "True", T).build();
    assertEquals("default-worker", NodeFacts.nodegroup(node));
    assertEquals(List.of("10.0.10.34", "w1"), NodeFacts.addresses(node));
    Node bare = new NodeBuilder().withNewMetadata().withName("b").endMetadata().build();
    assertNull(NodeFacts.nodegroup(bare));
    assertEquals(List.of(), NodeFacts.addresses(bare));
  }

  private static Node withIds(String providerId, String machineId) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n")
        .endMetadata()
        .withNewSpec()
        .withProviderID(providerId)
        .endSpec()
        .withNewStatus()
        .withNewNodeInfo()
        .withMachineID(machineId)
        .endNodeInfo()
        .endStatus()
        .build();
  }
}
