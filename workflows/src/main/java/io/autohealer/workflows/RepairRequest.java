package io.autohealer.workflows;

import java.time.Instant;
import java.util.List;

/**
 * The one input of {@link RepairNodeWorkflow}. Carries ids only, never credentials: activities read
 * those from the worker's own configuration.
 *
 * @param cluster the Magnum cluster (uuid or name, the Go service's {@code cluster-name})
 * @param node the Kubernetes Node name
 * @param serverId the Nova server uuid behind the node
 * @param role master or worker
 * @param nodegroup the Magnum nodegroup from the node's label, or null to find it by address
 * @param nodeAddresses the node's addresses, to find its nodegroup as the Go service does
 * @param failedCheck the name of the health check that failed
 * @param reason what the check saw, for people
 * @param detectedAt when the detector decided the node was unhealthy
 * @param policy timings of this repair
 */
public record RepairRequest(
    String cluster,
    String node,
    String serverId,
    NodeRole role,
    String nodegroup,
    List<String> nodeAddresses,
    String failedCheck,
    String reason,
    Instant detectedAt,
    RepairPolicy policy) {

  /** The Markdown summary shown in the Temporal Web UI's workflow list and header. */
  public String summary() {
    return "Repair %s node **%s** of cluster %s: %s"
        .formatted(role.name().toLowerCase(), node, cluster, reason);
  }
}
