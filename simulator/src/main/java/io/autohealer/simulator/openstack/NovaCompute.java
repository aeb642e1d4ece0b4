package io.autohealer.simulator.openstack;

import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    final List<String> volumes = new ArrayList<>();

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
  /** A Cinder volume attached to a server (Magnum gives each node a docker volume). */
  record Volume(String id, String name, String serverId, boolean bootable, int sizeGb) {}

  private final Map<String, Meta> metas = new ConcurrentHashMap<>();
  private final Map<String, Volume> volumes = new ConcurrentHashMap<>();
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

  /** Creates a server: ACTIVE at once, or in BUILD and ACTIVE after the boot delay. */
  synchronized SimServer boot(String name, String role, String nodegroup, boolean activeNow) {
    SimServer server = new SimServer(
        UUID.randomUUID().toString(), name, role, nodegroup, nextAddress(),
        activeNow ? ServerStatus.ACTIVE : ServerStatus.BUILD, NodeFault.NONE);
    Meta meta = newMeta();
    if (activeNow) {
      meta.launchedAt = meta.created;
    } else {
      meta.taskState = "spawning";
    }
    Volume docker = new Volume(UUID.randomUUID().toString(), name + "-docker-volume", server.id(), false, 10);
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

  synchronized void removeNow(String id) {
    world.remove(id);
    Meta meta = metas.remove(id);
    if (meta != null) {
      meta.volumes.forEach(volumes::remove);
    }
  }

  Optional<Volume> volume(String id) {
    return Optional.ofNullable(volumes.get(id));
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
