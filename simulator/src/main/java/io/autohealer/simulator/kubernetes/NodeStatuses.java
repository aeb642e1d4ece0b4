package io.autohealer.simulator.kubernetes;

import io.autohealer.simulator.world.SimServer;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.worker.kubernetes.NodeLabels;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Node objects and statuses as a kubelet and the node controller write them. */
final class NodeStatuses {
  static final String PROVIDER_PREFIX = "openstack:///";
  static final String KUBELET_VERSION = "v1.30.4";

  /** The kubelet's view of itself: type to (status, reason, message), Ready first. */
  private static final Map<String, String[]> KUBELET_CONDITIONS = new LinkedHashMap<>();

  static {
    KUBELET_CONDITIONS.put("MemoryPressure",
        new String[] {"False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"});
    KUBELET_CONDITIONS.put("DiskPressure",
        new String[] {"False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"});
    KUBELET_CONDITIONS.put("PIDPressure",
        new String[] {"False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"});
    KUBELET_CONDITIONS.put(NodeConditions.READY,
        new String[] {"True", "KubeletReady", "kubelet is posting ready status"});
  }

  private NodeStatuses() {}

  static String providerId(SimServer server) {
    return PROVIDER_PREFIX + server.id();
  }

  /** The Node a kubelet registers for {@code server}, already posting Ready. */
  static Node registration(SimServer server, String bootId, String now) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubernetes.io/os", "linux");
    labels.put(NodeLabels.HOSTNAME, server.name());
    labels.put(NodeLabels.MAGNUM_ROLE, server.role());
    labels.put(NodeLabels.MAGNUM_NODEGROUP, server.nodegroup());
    if ("master".equals(server.role())) {
      labels.put(NodeLabels.MASTER, "");
      labels.put(NodeLabels.CONTROL_PLANE, "");
    }
    return new NodeBuilder()
        .withNewMetadata().withName(server.name()).withLabels(labels).endMetadata()
        .withNewSpec().withProviderID(providerId(server)).endSpec()
        .withStatus(kubeletStatus(new NodeStatus(), server, bootId, now))
        .build();
  }

  /** {@code current} as the kubelet of {@code server} posts it: Ready, with fresh heartbeats. */
  static NodeStatus kubeletStatus(NodeStatus current, SimServer server, String bootId, String now) {
    List<NodeCondition> conditions = new ArrayList<>();
    KUBELET_CONDITIONS.forEach((type, v) -> conditions.add(condition(current, type, v[0], v[1], v[2], now, now)));
    Map<String, Quantity> resources = Map.of(
        "cpu", new Quantity("4"), "memory", new Quantity("8048060Ki"), "pods", new Quantity("110"));
    return new NodeStatusBuilder(current)
        .withConditions(conditions)
        .withAddresses(addresses(server))
        .withNodeInfo(nodeInfo(server, bootId))
        .withCapacity(resources)
        .withAllocatable(resources)
        .build();
  }

  /** {@code current} as the node controller leaves it when the kubelet went silent. */
  static NodeStatus unknown(NodeStatus current, String now) {
    List<NodeCondition> conditions = new ArrayList<>();
    for (String type : KUBELET_CONDITIONS.keySet()) {
      String heartbeat = NodeConditions.condition(current, type)
          .map(NodeCondition::getLastHeartbeatTime).orElse(now);
      conditions.add(condition(current, type, NodeConditions.UNKNOWN, "NodeStatusUnknown",
          "Kubelet stopped posting node status.", heartbeat, now));
    }
    return new NodeStatusBuilder(current).withConditions(conditions).build();
  }

  /** A condition whose lastTransitionTime moves only when its status changes. */
  private static NodeCondition condition(
      NodeStatus current, String type, String status, String reason, String message, String heartbeat, String now) {
    String transition = NodeConditions.condition(current, type)
        .filter(c -> status.equals(c.getStatus()))
        .map(NodeCondition::getLastTransitionTime)
        .orElse(now);
    return new NodeConditionBuilder()
        .withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(heartbeat).withLastTransitionTime(transition)
        .build();
  }

  private static List<NodeAddress> addresses(SimServer server) {
    return List.of(
        new NodeAddressBuilder().withType("InternalIP").withAddress(server.ip()).build(),
        new NodeAddressBuilder().withType("Hostname").withAddress(server.name()).build());
  }

  private static NodeSystemInfo nodeInfo(SimServer server, String bootId) {
    return new NodeSystemInfoBuilder()
        .withMachineID(server.id().replace("-", ""))
        .withSystemUUID(server.id())
        .withBootID(bootId)
        .withKubeletVersion(KUBELET_VERSION)
        .withKubeProxyVersion(KUBELET_VERSION)
        .withContainerRuntimeVersion("containerd://1.7.20")
        .withOsImage("Fedora CoreOS 38.20230806.3.0")
        .withKernelVersion("6.4.7-200.fc38.x86_64")
        .withOperatingSystem("linux")
        .withArchitecture("amd64")
        .build();
  }
}
