package io.autohealer.simulator.openstack;

import io.autohealer.simulator.world.SimServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heat's view of each cluster, laid out as Magnum's templates do: ResourceGroups kube_masters and
 * kube_minions, one nested stack per node holding the server, its docker volume and, when it
 * boots from a volume, that volume. A server Nova deleted stays a resource (with its old physical
 * id) until an update replaces it. Resource health (mark-unhealthy) is kept per physical id; a
 * stack update rebuilds every CHECK_FAILED server under the same name.
 */
final class HeatEngine {
  private static final String[][] GROUPS = {
      {"kube_masters", "master", "kube-master", "kubemaster.yaml"},
      {"kube_minions", "worker", "kube-minion", "kubeminion.yaml"}};

  /** One resource row of {@code GET .../resources?nested_depth=N}. */
  record Resource(
      String name, String physicalId, String type, int depth, String stackName, String stackId,
      String parentResource, String status, String statusReason) {}

  /** A stack that owns resources: the cluster's, a group's or a node's. */
  record StackRef(String name, String id) {}

  private record Health(String status, String reason) {}

  private final MagnumEngine magnum;
  private final NovaCompute nova;
  private final SimScheduler scheduler;
  private final OpenStackDelays delays;
  private final Map<String, Health> health = new ConcurrentHashMap<>();

  HeatEngine(MagnumEngine magnum, NovaCompute nova, SimScheduler scheduler, OpenStackDelays delays) {
    this.magnum = magnum;
    this.nova = nova;
    this.scheduler = scheduler;
    this.delays = delays;
  }

  /** The cluster whose top-level stack has this name or id. */
  Optional<SimulatedCluster> clusterOfStack(String nameOrId) {
    return magnum.all().stream()
        .filter(c -> c.stackId().equals(nameOrId) || c.stackName().equals(nameOrId))
        .findFirst();
  }

  /** Every resource of the cluster's stack down to {@code depth} levels of nesting. */
  List<Resource> resources(SimulatedCluster cluster, int depth) {
    List<Resource> rows = new ArrayList<>();
    cluster.locked(c -> {
      for (String[] group : GROUPS) {
        StackRef groupStack = groupStack(c, group[0]);
        rows.add(new Resource(group[0], groupStack.id(), "OS::Heat::ResourceGroup", 0,
            c.stackName(), c.stackId(), null, "UPDATE_COMPLETE", "state changed"));
        if (depth < 1) {
          continue;
        }
        for (String serverId : c.serverIds(group[1])) {
          // A server Nova deleted stays a resource of its stack until an update replaces it.
          Optional<SimServer> server = nova.world().server(serverId).or(() -> nova.departed(serverId));
          if (server.isEmpty()) {
            continue;
          }
          String index = indexOf(server.get().name());
          StackRef nodeStack = nodeStack(groupStack, index);
          rows.add(new Resource(index, nodeStack.id(), "file:///" + group[3], 1,
              groupStack.name(), groupStack.id(), group[0], "UPDATE_COMPLETE", "state changed"));
          if (depth < 2) {
            continue;
          }
          rows.add(row(group[2], serverId, "OS::Nova::Server", nodeStack, index));
          for (NovaCompute.Volume volume : nova.volumesOwnedBy(serverId)) {
            rows.add(row(volume.heatName(), volume.id(), "OS::Cinder::Volume", nodeStack, index));
          }
        }
      }
      return null;
    });
    return rows;
  }

  /** Marks a resource (by name or physical id, within the stack given by id) (un)healthy. */
  void markUnhealthy(String stackId, String resource, boolean unhealthy, String reason) {
    Resource row = magnum.all().stream()
        .flatMap(c -> resources(c, 2).stream())
        .filter(r -> r.stackId().equals(stackId) && (r.name().equals(resource) || resource.equals(r.physicalId())))
        .findFirst()
        .orElseThrow(() -> ApiException.notFound("The Resource (" + resource + ") could not be found."));
    health.put(row.physicalId(), unhealthy
        ? new Health("CHECK_FAILED", reason == null ? "" : reason)
        : new Health("CHECK_COMPLETE", reason == null ? "" : reason));
  }

  /**
   * The server a resource (by name or physical id, within the stack given by id) belongs to: the
   * server itself, or the server of the node stack that holds the volume.
   */
  Optional<String> serverOfResource(String stackId, String resource) {
    List<Resource> rows = magnum.all().stream().flatMap(c -> resources(c, 2).stream()).toList();
    return rows.stream()
        .filter(r -> r.stackId().equals(stackId) && (r.name().equals(resource) || resource.equals(r.physicalId())))
        .findFirst()
        .flatMap(row -> rows.stream()
            .filter(r -> r.stackId().equals(row.stackId()) && r.type().equals("OS::Nova::Server"))
            .map(Resource::physicalId)
            .findFirst());
  }

  /**
   * Stack PATCH: rebuild every CHECK_FAILED server, keeping its name (the same Heat resource, a
   * new physical id). A server that boots from a Heat-managed volume gets a new volume when that
   * volume is CHECK_FAILED too; otherwise it boots again from the same volume, which fails the
   * update while the old server still holds it (the Go healer's issue #1446).
   */
  void update(SimulatedCluster cluster) {
    cluster.locked(c -> {
      if (c.stackStatus().endsWith("_IN_PROGRESS")) {
        throw ApiException.conflict("Stack " + c.stackName() + " already has an action (UPDATE) in progress.");
      }
      c.stackUpdateAccepted();
      return null;
    });
    // Magnum notices the stack update at its next status sync.
    scheduler.after(delays.conductorPickup(), () -> cluster.updateStarted(null));
    scheduler.after(delays.conductorPickup().plus(delays.stackUpdate()), () -> {
      List<String> failures = new ArrayList<>();
      cluster.locked(c -> {
        for (SimNodegroup ng : c.nodegroups()) {
          List<String> members = ng.mutableServerIds();
          for (int i = 0; i < members.size(); i++) {
            String old = members.get(i);
            Optional<SimServer> server = nova.world().server(old).or(() -> nova.departed(old));
            if (!unhealthy(old) || server.isEmpty()) {
              continue;
            }
            Optional<NovaCompute.Volume> bootVolume =
                nova.volumesOwnedBy(old).stream().filter(NovaCompute.Volume::bootable).findFirst();
            String reuse = null;
            if (bootVolume.isPresent() && !unhealthy(bootVolume.get().id())) {
              if (bootVolume.get().attachedTo() != null) {
                failures.add("Resource UPDATE failed: BadRequest: resources." + server.get().name()
                    + ": Invalid volume: Volume " + bootVolume.get().id()
                    + " status must be available, but current status is: in-use.");
                continue;
              }
              reuse = bootVolume.get().id();
            }
            bootVolume.ifPresent(v -> health.remove(v.id()));
            health.remove(old);
            nova.removeNow(old);
            if (reuse == null) {
              nova.purgeVolumes(old);
            }
            members.set(i, nova.boot(server.get().name(), server.get().role(), ng.name(), false,
                bootVolume.isPresent() || ng.bootFromVolume(), reuse).id());
          }
        }
        return null;
      });
      if (!failures.isEmpty()) {
        cluster.failNextUpdate(String.join(" ", failures));
      }
      scheduler.after(delays.boot().plus(delays.settle()), () -> cluster.updateFinished(null));
    });
  }

  private boolean unhealthy(String physicalId) {
    Health h = health.get(physicalId);
    return h != null && h.status().equals("CHECK_FAILED");
  }

  private Resource row(String name, String physicalId, String type, StackRef stack, String index) {
    Health h = health.get(physicalId);
    return new Resource(name, physicalId, type, 2, stack.name(), stack.id(), index,
        h == null ? "CREATE_COMPLETE" : h.status(), h == null ? "state changed" : h.reason());
  }

  private static StackRef groupStack(SimulatedCluster c, String group) {
    String id = stableId(c.stackId() + "/" + group);
    return new StackRef(c.stackName() + "-" + group + "-" + id.substring(0, 12), id);
  }

  private static StackRef nodeStack(StackRef group, String index) {
    String id = stableId(group.id() + "/" + index);
    return new StackRef(group.name() + "-" + index + "-" + id.substring(0, 12), id);
  }

  /** Magnum's server names end in the ResourceGroup index: k8s-master-0, k8s-node-3. */
  private static String indexOf(String serverName) {
    return serverName.substring(serverName.lastIndexOf('-') + 1);
  }

  private static String stableId(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
