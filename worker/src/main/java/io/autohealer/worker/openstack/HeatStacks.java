package io.autohealer.worker.openstack;

import java.util.List;
import java.util.Optional;

/**
 * The Heat stack behind a Magnum cluster (Magnum's "heat" driver): found by the cluster's
 * {@code stack_id}, its nested resources, marks and updates. Call with a client that {@link
 * OpenStackSession#client()} bound to the calling thread.
 */
final class HeatStacks {
  /** What the Go healer writes into a marked resource. */
  static final String MARK_REASON = "Mark resource unhealthy by autohealing service";
  /** Magnum's layout: cluster stack, kube_masters/kube_minions groups, one stack per node. */
  static final int NESTED_DEPTH = 2;

  private final HeatApi heat = new HeatApi();

  HeatApi api() {
    return heat;
  }

  /** The cluster's stack; empty when the cluster has none or Heat does not know it. */
  Optional<HeatStack> of(MagnumCluster cluster) {
    if (cluster.stackId() == null || cluster.stackId().isBlank()) {
      return Optional.empty();
    }
    return heat.stack(cluster.stackId());
  }

  /** The cluster's stack; a permanent failure when there is none. */
  HeatStack require(MagnumCluster cluster, String clusterIdent) {
    if (cluster.stackId() == null || cluster.stackId().isBlank()) {
      throw CloudFailures.permanent(CloudFailures.STACK_NOT_FOUND, "cluster " + clusterIdent
          + " has no Heat stack (stack_id is empty): masters can only be rebuilt through Heat");
    }
    return heat.stack(cluster.stackId()).orElseThrow(() -> CloudFailures.permanent(
        CloudFailures.STACK_NOT_FOUND, "Heat does not know stack " + cluster.stackId()
            + " of cluster " + clusterIdent));
  }

  List<HeatResource> resources(HeatStack stack) {
    return heat.resources(stack, NESTED_DEPTH);
  }

  /** The Nova server resource whose physical id is the server; empty when the stack has none. */
  static Optional<HeatResource> server(List<HeatResource> resources, String serverId) {
    return resources.stream().filter(r -> r.isServer() && serverId.equals(r.physicalId())).findFirst();
  }

  /** Marks the resource unhealthy unless it already is; returns "stack/resource". */
  String mark(HeatResource resource) {
    if (!resource.markedUnhealthy()) {
      heat.markUnhealthy(resource.stackName(), resource.stackId(), resource.name(), MARK_REASON);
    }
    return resource.describe();
  }
}
