package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Magnum's clusters and what its conductor does with them: creating clusters, resizing
 * nodegroups (old servers deleted, replacements built) and applying health updates.
 */
final class MagnumEngine {
  private final List<SimulatedCluster> clusters = new CopyOnWriteArrayList<>();
  private final NovaCompute nova;
  private final SimScheduler scheduler;
  private final OpenStackDelays delays;

  MagnumEngine(NovaCompute nova, SimScheduler scheduler, OpenStackDelays delays) {
    this.nova = nova;
    this.scheduler = scheduler;
    this.delays = delays;
  }

  SimulatedCluster create(ClusterBuilder spec) {
    if (find(spec.name()).isPresent() || find(spec.uuid()).isPresent()) {
      throw new IllegalStateException("cluster " + spec.name() + " exists");
    }
    SimulatedCluster cluster = new SimulatedCluster(spec.uuid(), spec.name(), spec.labels());
    SimNodegroup masters = new SimNodegroup("default-master", "master", true, 1, null);
    SimNodegroup workers =
        new SimNodegroup("default-worker", "worker", true, spec.minWorkers(), spec.maxWorkers());
    masters.setBootFromVolume(spec.bootsFromVolume("master"));
    workers.setBootFromVolume(spec.bootsFromVolume("worker"));
    cluster.addNodegroup(masters);
    cluster.addNodegroup(workers);
    grow(cluster, masters, spec.masters(), true);
    grow(cluster, workers, spec.workers(), true);
    for (ClusterBuilder.ExtraNodegroup extra : spec.extraNodegroups()) {
      SimNodegroup ng = new SimNodegroup(extra.name(), "worker", false, 0, null);
      ng.setBootFromVolume(spec.bootsFromVolume("worker"));
      cluster.addNodegroup(ng);
      grow(cluster, ng, extra.count(), true);
    }
    clusters.add(cluster);
    return cluster;
  }

  Optional<SimulatedCluster> find(String uuidOrName) {
    return clusters.stream().filter(c -> c.matches(uuidOrName)).findFirst();
  }

  List<SimulatedCluster> all() {
    return List.copyOf(clusters);
  }

  /**
   * Validates and accepts a resize as Magnum's API does; the conductor's work follows
   * asynchronously. Returns nothing: the API answers with the cluster uuid.
   */
  void resize(SimulatedCluster cluster, String nodegroupName, int nodeCount, List<String> toRemove) {
    SimNodegroup ng = cluster.locked(c -> {
      String status = c.status();
      if (!(status.endsWith("_COMPLETE") || status.equals("UPDATE_IN_PROGRESS")
          || status.equals("UPDATE_FAILED"))) {
        throw ApiException.conflict("Cluster " + c.uuid() + " is in status " + status
            + " and cannot be resized");
      }
      SimNodegroup found = c.nodegroup(nodegroupName).orElseThrow(() -> ApiException.notFound(
          "Nodegroup " + nodegroupName + " could not be found"));
      if (found.role().equals("master")) {
        throw ApiException.badRequest("Resizing a nodegroup with role master is not supported");
      }
      if (nodeCount < found.minNodeCount()
          || (found.maxNodeCount() != null && nodeCount > found.maxNodeCount())) {
        throw ApiException.badRequest("Resizing " + found.name() + " to " + nodeCount
            + " nodes is out of bounds: min_node_count=" + found.minNodeCount()
            + ", max_node_count=" + found.maxNodeCount());
      }
      for (String id : toRemove) {
        if (!found.serverIds().contains(id)) {
          throw ApiException.badRequest(
              "Node " + id + " is not a member of nodegroup " + found.name());
        }
      }
      return found;
    });
    scheduler.after(delays.conductorPickup(), () -> {
      cluster.stackUpdateAccepted();
      cluster.updateStarted(ng);
    });
    scheduler.after(delays.conductorPickup().plus(delays.stackUpdate()), () -> {
      cluster.locked(c -> {
        for (String id : toRemove) {
          if (ng.mutableServerIds().remove(id)) {
            nova.removeNow(id);
            nova.purgeVolumes(id);
          }
        }
        ng.setNodeCount(nodeCount);
        shrink(ng, nodeCount);
        grow(c, ng, nodeCount, false);
        return null;
      });
      // New servers boot for delays.boot(); the update completes a little after.
      scheduler.after(delays.boot().plus(delays.settle()), () -> cluster.updateFinished(ng));
    });
  }

  /** Applies a health PATCH later, and only if the cluster is *_COMPLETE then (real Magnum). */
  void patchHealth(SimulatedCluster cluster, String status, ObjectNode reason, String reasonText) {
    scheduler.after(delays.conductorPickup(), () -> cluster.locked(c -> {
      if (c.status().endsWith("_COMPLETE")) {
        c.setHealth(status, reason, reasonText);
      }
      return null;
    }));
  }

  private void shrink(SimNodegroup ng, int target) {
    List<String> members = ng.mutableServerIds();
    while (members.size() > target) {
      String id = members.remove(members.size() - 1);
      nova.removeNow(id);
      nova.purgeVolumes(id);
    }
  }

  private void grow(SimulatedCluster cluster, SimNodegroup ng, int target, boolean activeNow) {
    while (ng.mutableServerIds().size() < target) {
      String role = ng.role().equals("master") ? "master" : "worker";
      String name = serverName(cluster, ng);
      String id = nova.boot(name, role, ng.name(), activeNow, ng.bootFromVolume(), null).id();
      ng.mutableServerIds().add(id);
    }
    ng.setNodeCount(Math.max(ng.nodeCount(), ng.mutableServerIds().size()));
  }

  /** Magnum's Heat names: an index is never reused, so a replacement gets a new name. */
  private static String serverName(SimulatedCluster cluster, SimNodegroup ng) {
    int index = ng.takeIndex();
    return switch (ng.name()) {
      case "default-master" -> cluster.name() + "-master-" + index;
      case "default-worker" -> cluster.name() + "-node-" + index;
      default -> cluster.name() + "-" + ng.name() + "-node-" + index;
    };
  }
}
