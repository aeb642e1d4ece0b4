package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Nova server behind a Node, read the way the detector reads it (its {@code NodeFacts}), so
 * that both sides name the same server: {@code spec.providerID} ({@code openstack:///<uuid>} or
 * {@code openstack://<region>/<uuid>}), else {@code status.nodeInfo.machineID} as the Go service
 * does (libvirt exposes the instance uuid as the machine id), in the dashed lower-case form.
 */
public final class ServerIds {
  static final String OPENSTACK_PROVIDER_PREFIX = "openstack://";
  private static final Pattern PLAIN_UUID = Pattern.compile("[0-9a-fA-F]{32}");
  private static final Pattern DASHED_UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private ServerIds() {}

  /** The server uuid, or null when neither providerID nor machine-id gives one. */
  public static String of(Node node) {
    if (node == null) {
      return null;
    }
    String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
    if (providerId != null && providerId.startsWith(OPENSTACK_PROVIDER_PREFIX)) {
      String id = normalise(providerId.substring(providerId.lastIndexOf('/') + 1));
      if (id != null) {
        return id;
      }
    }
    if (node.getStatus() == null || node.getStatus().getNodeInfo() == null) {
      return null;
    }
    return normalise(node.getStatus().getNodeInfo().getMachineID());
  }

  /** Go's {@code uuid.Parse} forms (dashed, 32 hex digits, braces, urn:uuid:) to the dashed form. */
  static String normalise(String text) {
    if (text == null) {
      return null;
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
    return DASHED_UUID.matcher(s).matches() ? s.toLowerCase(Locale.ROOT) : null;
  }
}
