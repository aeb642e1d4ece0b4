package io.autohealer.detector;

import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** What the detector reads from a Node object. */
public final class NodeFacts {
  public static final String MASTER_LABEL = "node-role.kubernetes.io/master";
  public static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
  public static final String NODEGROUP_LABEL = "magnum.openstack.org/nodegroup";

  private static final String OPENSTACK_PROVIDER_PREFIX = "openstack://";
  private static final Pattern DASHED_UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern PLAIN_UUID = Pattern.compile("[0-9a-fA-F]{32}");

  private NodeFacts() {}

  public static String name(Node node) {
    return node.getMetadata().getName();
  }

  /** Master when labelled master or control-plane (any value), as in Go. */
  public static NodeRole role(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    boolean master = labels != null && (labels.containsKey(MASTER_LABEL) || labels.containsKey(CONTROL_PLANE_LABEL));
    return master ? NodeRole.MASTER : NodeRole.WORKER;
  }

  /**
   * Whether the node opted out of repair: label or annotation {@value KubernetesActivities#OPT_OUT}
   * with the value {@code true} (any case).
   */
  public static boolean optedOut(Node node) {
    return "true".equalsIgnoreCase(valueOf(node.getMetadata().getLabels(), KubernetesActivities.OPT_OUT))
        || "true".equalsIgnoreCase(valueOf(node.getMetadata().getAnnotations(), KubernetesActivities.OPT_OUT));
  }

  /** The node's annotation, or null. */
  public static String annotation(Node node, String key) {
    return valueOf(node.getMetadata().getAnnotations(), key);
  }

  private static String valueOf(Map<String, String> map, String key) {
    return map == null ? null : map.get(key);
  }

  public static boolean hasConditions(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && !node.getStatus().getConditions().isEmpty();
  }

  /**
   * The Nova server uuid: from {@code spec.providerID} ({@code openstack:///<uuid>} or {@code
   * openstack://<region>/<uuid>}), else from {@code status.nodeInfo.machineID} as the Go service
   * does (libvirt exposes the instance uuid as the machine id), in the dashed lower-case form.
   */
  public static Optional<String> serverId(Node node) {
    String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
    if (providerId != null && providerId.startsWith(OPENSTACK_PROVIDER_PREFIX)) {
      Optional<String> id = normaliseUuid(providerId.substring(providerId.lastIndexOf('/') + 1));
      if (id.isPresent()) {
        return id;
      }
    }
    if (node.getStatus() == null || node.getStatus().getNodeInfo() == null) {
      return Optional.empty();
    }
    return normaliseUuid(node.getStatus().getNodeInfo().getMachineID());
  }

  /** Go's {@code uuid.Parse} forms (dashed, 32 hex digits, braces, urn:uuid:) to the dashed form. */
  static Optional<String> normaliseUuid(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String s = text.trim();
    if (s.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
      s = s.substring(9);
    } else if (s.startsWith("{") && s.endsWith("}")) {
      s = s.substring(1, s.length() - 1);
    }
    if (PLAIN_UUID.matcher(s).matches()) {
      s = s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-"
          + s.substring(16, 20) + "-" + s.substring(20);
    }
    return DASHED_UUID.matcher(s).matches() ? Optional.of(s.toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** The Magnum nodegroup label, or null to let the repair find it by address. */
  public static String nodegroup(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? null : labels.get(NODEGROUP_LABEL);
  }

  public static List<String> addresses(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return List.of();
    }
    return node.getStatus().getAddresses().stream()
        .map(NodeAddress::getAddress)
        .filter(Objects::nonNull)
        .distinct()
        .toList();
  }

  /** The first {@code InternalIP} of {@code status.addresses}, the one the Go Endpoint plugin probes. */
  public static Optional<String> internalIp(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return Optional.empty();
    }
    return node.getStatus().getAddresses().stream()
        .filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress)
        .filter(a -> a != null && !a.isBlank())
        .findFirst();
  }

  public static Optional<Instant> createdAt(Node node) {
    String created = node.getMetadata().getCreationTimestamp();
    if (created == null || created.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(created).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
