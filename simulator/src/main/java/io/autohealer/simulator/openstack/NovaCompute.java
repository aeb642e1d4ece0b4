package io.autohealer.simulator.openstack;

import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Nova's server state machine over the shared {@link CloudWorld}. The world holds what the kubelets
 * need (status, fault); the Nova-only details (task_state, times, volumes) live here.
 */
final class NovaCompute {

  /** Nova-only details of one server. */
  static final class Meta {
    volatile String taskState;
    volatile boolean hardReboot;
    final Instant created;
    volatile Instant updated;
    volatile Instant launchedAt;
    final String mac;
    /** Attached volumes (in-use or detaching), oldest first; guard with synchronized(volumes). */
    final List<String> volumes = new ArrayList<>();
    /** The volume it boots from, or null when it boots from an image. */
    volatile String bootVolumeId;

    Meta(Instant created, String mac) {
      this.created = created;
      this.updated = created;
      this.mac = mac;
    }
  }

  /** A server as Nova shows it. */
  record View(SimServer server, Meta meta) {
    String status() {
      return switch (server.status()) {
        case REBOOT -> meta.hardReboot ? "HARD_REBOOT" : "REBOOT";
        default -> server.status().name();
      };
    }

    String vmState() {
      return switch (server.status()) {
        case BUILD -> "building";
        case ACTIVE, REBOOT -> "active";
        case SHUTOFF -> "stopped";
        case ERROR -> "error";
      };
    }

    int powerState() {
      return switch (server.status()) {
        case ACTIVE, REBOOT -> 1;
        case SHUTOFF -> 4;
        case BUILD, ERROR -> 0;
      };
    }
  }

  private final CloudWorld world;
  private final SimScheduler scheduler;
  private final OpenStackDelays delays;
  /**
   * A Cinder volume. Magnum gives each node a docker volume, and a boot volume when the node
   * boots from one; both are resources of the node's nested Heat stack.
   */
  static final class Volume {
    private final String id;
    private final String name;
    private final boolean bootable;
    private final int sizeGb;
    private final String device;
    private final String heatName;
    private volatile String ownerId;
    private volatile String status = "in-use";
    private volatile String attachedTo;

    /**
     * @param heatName its resource name in the server's nested stack, or null when no stack
     *     manages it (a Cinder CSI volume)
     */
    Volume(String id, String name, boolean bootable, int sizeGb, String device, String heatName, String serverId) {
      this.id = id;
      this.name = name;
      this.bootable = bootable;
      this.sizeGb = sizeGb;
      this.device = device;
      this.heatName = heatName;
      this.ownerId = heatName == null ? null : serverId;
      this.attachedTo = serverId;
    }

    String id() {
      return id;
    }

    String name() {
      return name;
    }

    boolean bootable() {
      return bootable;
    }

    int sizeGb() {
      return sizeGb;
    }

    /** Where it is attached: /dev/vda for a boot volume, /dev/vdb for the docker volume. */
    String device() {
      return device;
    }

    /** Its logical name in the node's nested stack. */
    String heatName() {
      return heatName;
    }

    /** The server whose nested stack holds it (it stays when that server is gone), or null. */
    String ownerId() {
      return ownerId;
    }

    /** Cinder's status: in-use, detaching or available. */
    String status() {
      return status;
    }

    /** The server it is attached to, or null. */
    String attachedTo() {
      return attachedTo;
    }
  }

  private final Map<String, Meta> metas = new ConcurrentHashMap<>();
  private final Map<String, Volume> volumes = new ConcurrentHashMap<>();
  /** Servers deleted from Nova, for Heat, whose resources still name them until an update. */
  private final Map<String, SimServer> departed = new ConcurrentHashMap<>();
  private final AtomicInteger addressCounter = new AtomicInteger();

  NovaCompute(CloudWorld world, SimScheduler scheduler, OpenStackDelays delays) {
    this.world = world;
    this.scheduler = scheduler;
    this.delays = delays;
  }

  CloudWorld world() {
    return world;
  }

  synchronized Optional<View> view(String id) {
    return world.server(id).map(s -> new View(s, metas.computeIfAbsent(id, k -> newMeta())));
  }

  synchronized List<View> views() {
    return world.servers().stream()
        .map(s -> new View(s, metas.computeIfAbsent(s.id(), k -> newMeta())))
        .toList();
  }

  /** Creates a server booting from an image: ACTIVE at once, or in BUILD and ACTIVE after the boot delay. */
  synchronized SimServer boot(String name, String role, String nodegroup, boolean activeNow) {
    return boot(name, role, nodegroup, activeNow, false, null);
  }

  /**
   * Creates a server.
   *
   * @param fromVolume boots from a bootable volume at /dev/vda, which its Heat stack manages
   * @param existingBootVolume boots from this (available) volume instead of a new one
   */
  synchronized SimServer boot(
      String name, String role, String nodegroup, boolean activeNow, boolean fromVolume, String existingBootVolume) {
    SimServer server = new SimServer(
        UUID.randomUUID().toString(), name, role, nodegroup, nextAddress(),
        activeNow ? ServerStatus.ACTIVE : ServerStatus.BUILD, NodeFault.NONE);
    Meta meta = newMeta();
    if (activeNow) {
      meta.launchedAt = meta.created;
    } else {
      meta.taskState = "spawning";
    }
    if (existingBootVolume != null) {
      Volume boot = volumes.get(existingBootVolume);
      if (boot == null || boot.attachedTo != null) {
        throw new IllegalStateException("volume " + existingBootVolume + " is not available");
      }
      boot.ownerId = server.id();
      boot.attachedTo = server.id();
      boot.status = "in-use";
      meta.bootVolumeId = boot.id();
      meta.volumes.add(boot.id());
    } else if (fromVolume) {
      String heatName = role.equals("master") ? "kube_master_volume" : "kube_node_volume";
      Volume boot = new Volume(UUID.randomUUID().toString(), name + "-boot-volume", true, 40, "/dev/vda",
          heatName, server.id());
      volumes.put(boot.id(), boot);
      meta.bootVolumeId = boot.id();
      meta.volumes.add(boot.id());
    }
    Volume docker = new Volume(UUID.randomUUID().toString(), name + "-docker-volume", false, 10, "/dev/vdb",
        "docker_volume", server.id());
    volumes.put(docker.id(), docker);
    meta.volumes.add(docker.id());
    metas.put(server.id(), meta);
    world.add(server);
    if (!activeNow) {
      scheduler.after(delays.boot(), () -> finish(server.id(), ServerStatus.BUILD, ServerStatus.ACTIVE, false));
    }
    return server;
  }

  synchronized void stop(String id) {
    View v = require(id);
    if (v.meta().taskState != null) {
      throw conflictTask("stop", id, v.meta().taskState);
    }
    if (v.server().status() != ServerStatus.ACTIVE && v.server().status() != ServerStatus.ERROR) {
      throw conflictVm("stop", id, v.vmState());
    }
    transition(id, "powering-off", delays.stop(), ServerStatus.SHUTOFF, false);
  }

  synchronized void start(String id) {
    View v = require(id);
    if (v.meta().taskState != null) {
      throw conflictTask("start", id, v.meta().taskState);
    }
    if (v.server().status() != ServerStatus.SHUTOFF) {
      throw conflictVm("start", id, v.vmState());
    }
    transition(id, "powering-on", delays.start(), ServerStatus.ACTIVE, true);
  }

  synchronized void reboot(String id, boolean hard) {
    View v = require(id);
    String task = v.meta().taskState;
    boolean allowed = hard
        ? v.server().status() == ServerStatus.ACTIVE
            || v.server().status() == ServerStatus.SHUTOFF
            || v.server().status() == ServerStatus.ERROR
        : v.server().status() == ServerStatus.ACTIVE;
    if (task != null && !(hard && task.startsWith("reboot"))) {
      throw conflictTask("reboot", id, task);
    }
    if (!allowed) {
      throw conflictVm("reboot", id, v.vmState());
    }
    Meta meta = v.meta();
    meta.hardReboot = hard;
    meta.taskState = hard ? "reboot_started_hard" : "reboot_started";
    touch(meta);
    world.update(id, s -> s.withStatus(ServerStatus.REBOOT));
    scheduler.after(hard ? delays.hardReboot() : delays.softReboot(),
        () -> finish(id, ServerStatus.REBOOT, ServerStatus.ACTIVE, true));
  }

  /** DELETE and forceDelete: allowed in any state except while already deleting. */
  synchronized void delete(String id, String action) {
    View v = require(id);
    if ("deleting".equals(v.meta().taskState)) {
      throw conflictTask(action, id, "deleting");
    }
    v.meta().taskState = "deleting";
    touch(v.meta());
    scheduler.after(delays.delete(), () -> removeNow(id));
  }

  /**
   * The server is gone at once. Its docker volume goes with it; a boot volume stays, available,
   * as its Heat stack owns it (until {@link #purgeVolumes}).
   */
  synchronized void removeNow(String id) {
    world.remove(id).ifPresent(s -> departed.put(id, s));
    Meta meta = metas.remove(id);
    if (meta == null) {
      return;
    }
    synchronized (meta.volumes) {
      for (String volumeId : meta.volumes) {
        Volume v = volumes.get(volumeId);
        if (v == null) {
          continue;
        }
        if (volumeId.equals(meta.bootVolumeId) || v.heatName == null) {
          v.attachedTo = null;
          v.status = "available";
        } else {
          volumes.remove(volumeId);
        }
      }
      meta.volumes.clear();
    }
  }

  /** Attaches a new volume that no Heat stack manages (e.g. a Cinder CSI volume); returns its id. */
  synchronized String attachVolume(String serverId, String name, boolean bootable) {
    View v = require(serverId);
    String device;
    synchronized (v.meta().volumes) {
      device = "/dev/vd" + (char) ('b' + v.meta().volumes.size());
      Volume volume = new Volume(UUID.randomUUID().toString(), name, bootable, 1, device, null, serverId);
      volumes.put(volume.id(), volume);
      v.meta().volumes.add(volume.id());
      touch(v.meta());
      return volume.id();
    }
  }

  /** The volumes attached to the server (in-use or detaching), oldest first. */
  List<String> attachedVolumes(String serverId) {
    return view(serverId).map(v -> {
      synchronized (v.meta().volumes) {
        return List.copyOf(v.meta().volumes);
      }
    }).orElse(List.of());
  }

  /** Deletes every volume the server's Heat stack held (the stack member is gone). */
  synchronized void purgeVolumes(String ownerId) {
    volumes.values().removeIf(v -> ownerId.equals(v.ownerId) && v.attachedTo == null);
  }

  /**
   * Nova's {@code DELETE /servers/{id}/os-volume_attachments/{volumeId}}: the volume is detaching
   * at once and detached after the detach delay. A root volume and a volume that is not in-use
   * are refused with 400, as Nova does.
   */
  synchronized void detachVolume(String serverId, String volumeId) {
    View v = require(serverId);
    boolean attached;
    synchronized (v.meta().volumes) {
      attached = v.meta().volumes.contains(volumeId);
    }
    Volume volume = volumes.get(volumeId);
    if (!attached || volume == null) {
      throw ApiException.notFound("volume_id not found: " + volumeId);
    }
    if (volumeId.equals(v.meta().bootVolumeId)) {
      throw ApiException.badRequest("Cannot detach a root device volume");
    }
    if (!volume.status.equals("in-use")) {
      throw ApiException.badRequest("Invalid volume: Volume " + volumeId
          + " status must be in-use to detach, but current status is: " + volume.status);
    }
    volume.status = "detaching";
    touch(v.meta());
    scheduler.after(delays.detach(), () -> finishDetach(serverId, volumeId));
  }

  private synchronized void finishDetach(String serverId, String volumeId) {
    Volume volume = volumes.get(volumeId);
    if (volume == null || !"detaching".equals(volume.status)) {
      return;
    }
    volume.status = "available";
    volume.attachedTo = null;
    Meta meta = metas.get(serverId);
    if (meta != null) {
      synchronized (meta.volumes) {
        meta.volumes.remove(volumeId);
      }
      touch(meta);
    }
  }

  Optional<Volume> volume(String id) {
    return Optional.ofNullable(volumes.get(id));
  }

  /** The volumes the server's Heat stack holds, attached or not, boot volume first. */
  List<Volume> volumesOwnedBy(String serverId) {
    return volumes.values().stream().filter(v -> serverId.equals(v.ownerId))
        .sorted(Comparator.comparing((Volume v) -> !v.bootable).thenComparing(Volume::name))
        .toList();
  }

  /** A server as it was when Nova deleted it (Heat still names it until an update). */
  Optional<SimServer> departed(String id) {
    return Optional.ofNullable(departed.get(id));
  }

  /** Puts a server into ERROR (for fault injection by tests). */
  synchronized void setError(String id) {
    require(id).meta().taskState = null;
    world.update(id, s -> s.withStatus(ServerStatus.ERROR));
  }

  private void transition(String id, String task, Duration delay, ServerStatus target, boolean boots) {
    Meta meta = metas.get(id);
    meta.taskState = task;
    touch(meta);
    ServerStatus from = world.server(id).orElseThrow().status();
    scheduler.after(delay, () -> finish(id, from, target, boots));
  }

  /** Completes a transition unless the server changed meanwhile (deleted, or another action). */
  private synchronized void finish(String id, ServerStatus expected, ServerStatus target, boolean boots) {
    Meta meta = metas.get(id);
    Optional<SimServer> current = world.server(id);
    if (meta == null || current.isEmpty() || current.get().status() != expected
        || "deleting".equals(meta.taskState)) {
      return;
    }
    meta.taskState = null;
    meta.hardReboot = false;
    touch(meta);
    if (target == ServerStatus.ACTIVE && meta.launchedAt == null) {
      meta.launchedAt = meta.updated;
    }
    world.update(id, s -> {
      SimServer next = s.withStatus(target);
      // A boot restarts the kubelet; a broken node stays broken.
      return boots && next.fault() == NodeFault.KUBELET_STOPPED ? next.withFault(NodeFault.NONE) : next;
    });
  }

  private View require(String id) {
    return view(id).orElseThrow(() -> ApiException.notFound("Instance " + id + " could not be found."));
  }

  private static ApiException conflictVm(String action, String id, String vmState) {
    return ApiException.conflict(
        "Cannot '" + action + "' instance " + id + " while it is in vm_state " + vmState);
  }

  private static ApiException conflictTask(String action, String id, String taskState) {
    return ApiException.conflict(
        "Cannot '" + action + "' instance " + id + " while it is in task_state " + taskState);
  }

  private Meta newMeta() {
    int n = addressCounter.get();
    return new Meta(Instant.now(), String.format("fa:16:3e:%02x:%02x:%02x", n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff));
  }

  private String nextAddress() {
    int n = addressCounter.incrementAndGet();
    return "10.0." + (n / 250) + "." + (n % 250 + 3);
  }

  private static void touch(Meta meta) {
    meta.updated = Instant.now();
  }
}
