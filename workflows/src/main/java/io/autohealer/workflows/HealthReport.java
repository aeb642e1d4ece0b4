package io.autohealer.workflows;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What the detector saw of the whole cluster after one pass: the signal of {@link
 * ClusterHealthWorkflow#report}. Unlike the Go service, masters are listed as well as workers, and a
 * Kubernetes API that cannot be read is {@link HealthStatus#UNKNOWN}, not HEALTHY.
 *
 * @param status HEALTHY, UNHEALTHY (exactly when {@code unhealthyNodes} is not empty) or UNKNOWN
 * @param unhealthyNodes every node that failed a check, sorted by name; empty unless UNHEALTHY
 * @param reportedAt when the detector made the observation (its clock); Magnum's {@code updated_at}
 */
public record HealthReport(HealthStatus status, List<UnhealthyNode> unhealthyNodes, Instant reportedAt) {
  private static final Comparator<UnhealthyNode> ORDER =
      Comparator.comparing(UnhealthyNode::name).thenComparing(UnhealthyNode::failedCheck,
          Comparator.nullsFirst(Comparator.naturalOrder()));

  /** Lenient on purpose: it is deserialized inside a workflow, where a throw would stall it. */
  public HealthReport {
    unhealthyNodes = unhealthyNodes == null ? List.of() : unhealthyNodes.stream().sorted(ORDER).toList();
  }

  /**
   * One unhealthy node.
   *
   * @param name the Kubernetes Node name
   * @param role master or worker
   * @param failedCheck the name of the first check that failed, e.g. {@code NodeConditionCheck}
   */
  public record UnhealthyNode(String name, NodeRole role, String failedCheck) {}

  /** HEALTHY when {@code unhealthy} is empty, else UNHEALTHY. */
  public static HealthReport of(List<UnhealthyNode> unhealthy, Instant reportedAt) {
    return new HealthReport(unhealthy.isEmpty() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY, unhealthy, reportedAt);
  }

  /** Nothing could be judged. */
  public static HealthReport unknown(Instant reportedAt) {
    return new HealthReport(HealthStatus.UNKNOWN, List.of(), reportedAt);
  }

  /** Same status and same unhealthy nodes (with the same failed checks); the time does not count. */
  public boolean sameState(HealthReport other) {
    return other != null && status == other.status && unhealthyNodes.equals(other.unhealthyNodes);
  }

  /** E.g. {@code UNHEALTHY [w-1 (worker, NodeConditionCheck)] at 2026-01-01T00:00:00Z}, for logs. */
  public String describe() {
    StringBuilder text = new StringBuilder(Objects.toString(status));
    if (!unhealthyNodes.isEmpty()) {
      text.append(' ').append(unhealthyNodes.stream()
          .map(n -> n.name() + " (" + (n.role() == null ? "?" : n.role().name().toLowerCase()) + ", " + n.failedCheck() + ")")
          .toList());
    }
    return text.append(" at ").append(reportedAt).toString();
  }
}
