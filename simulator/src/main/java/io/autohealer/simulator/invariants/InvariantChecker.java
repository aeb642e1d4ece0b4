package io.autohealer.simulator.invariants;

import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Watches what happens to a simulated cluster, as it happens, and records every breach of an
 * {@link Invariant} together with the time-ordered events that led to it.
 *
 * <p>It is told three kinds of things, in the order they happen: the world (servers changing, the
 * simulation breaking nodes, Nodes registering, the gate opening and closing), the healer's repairs
 * (the RepairStarted and terminal Events each repair records) and the healer's actions (OpenStack
 * calls that were accepted, cordons, Node deletions, evictions). "Healthy" is the simulation's own
 * knowledge: a node is broken from the moment the simulation breaks it (a {@link NodeFault}, or a
 * server in ERROR) until the repair that follows ends with the node well again; any other node is
 * healthy.
 *
 * <p>Pure and thread-safe: it calls nothing outside itself, so it can be fed from any thread
 * (OpenStack's HTTP threads, the Kubernetes API's event loop) and driven by scripted sequences in
 * tests.
 */
public final class InvariantChecker {
  private static final int TRAIL_LINES = 80;

  private record Server(String id, String node, String role, ServerStatus status, NodeFault fault) {
    boolean up() {
      return status == ServerStatus.ACTIVE && fault == NodeFault.NONE;
    }

    boolean brokenBySimulation() {
      return fault != NodeFault.NONE || status == ServerStatus.ERROR;
    }

    boolean alive() {
      return status == ServerStatus.ACTIVE || status == ServerStatus.REBOOT || status == ServerStatus.BUILD;
    }
  }

  private static final class Repair {
    final String node;
    final boolean master;
    boolean acted;

    Repair(String node, boolean master) {
      this.node = node;
      this.master = master;
    }
  }

  private record Entry(Instant at, String node, String text) {}

  /** An accepted OpenStack action, for tests that count them. */
  public record RecordedAction(CloudAction action, String node, String serverId, String detail) {}

  private final RepairLimits limits;
  private final Clock clock;
  private final Instant start;
  private final Map<String, Server> servers = new LinkedHashMap<>();
  /** Servers that are gone, by id: their node's name, for actions that name them late. */
  private final Map<String, String> departedNodes = new HashMap<>();
  /** Node name to the server its Node object names (providerID). */
  private final Map<String, String> nodeServers = new HashMap<>();
  private final Set<String> broken = new HashSet<>();
  private final Map<String, Repair> repairs = new LinkedHashMap<>();
  private final List<Entry> trail = new ArrayList<>();
  private final List<Breach> breaches = new ArrayList<>();
  private final List<RecordedAction> actions = new ArrayList<>();
  private final List<String> opened = new ArrayList<>();
  private final List<String> deletedNodes = new ArrayList<>();
  private String gateClosed;

  public InvariantChecker(RepairLimits limits) {
    this(limits, Clock.systemUTC());
  }

  public InvariantChecker(RepairLimits limits, Clock clock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.start = clock.instant();
  }

  // ---- the world ----

  /** A server was added or changed (status, or the fault the simulation put into it). */
  public synchronized void serverChanged(String serverId, String node, String role, ServerStatus status,
      NodeFault fault) {
    Server before = servers.get(serverId);
    Server now = new Server(serverId, node, role, status, fault);
    servers.put(serverId, now);
    if (before == null) {
      log(node, "server %s (%s) %s%s".formatted(shortId(serverId), role, status,
          fault == NodeFault.NONE ? "" : ", " + fault));
    } else if (before.status() != status) {
      log(node, "server %s %s -> %s".formatted(shortId(serverId), before.status(), status));
    }
    boolean faultChanged = before == null ? fault != NodeFault.NONE : before.fault() != fault;
    if (faultChanged) {
      log(node, fault == NodeFault.NONE ? "server %s: fault cleared".formatted(shortId(serverId))
          : "simulation broke server %s: %s".formatted(shortId(serverId), fault));
    }
    if (now.brokenBySimulation()) {
      broken.add(node);
    } else if (!repairs.containsKey(node)) {
      broken.remove(node);
    }
  }

  public synchronized void serverDeleted(String serverId, String node) {
    servers.remove(serverId);
    departedNodes.put(serverId, node);
    log(node, "server %s deleted".formatted(shortId(serverId)));
  }

  /** A kubelet created Node {@code node} naming server {@code serverId}. */
  public synchronized void nodeRegistered(String node, String serverId) {
    String before = nodeServers.put(node, serverId);
    if (!serverId.equals(before)) {
      log(node, "Node registered for server %s".formatted(shortId(serverId)));
    }
  }

  /** The gate as the cluster stands now: the reason it is closed, or null when it is open. */
  public synchronized void gate(String closedReason) {
    if (Objects.equals(closedReason, gateClosed)) {
      return;
    }
    gateClosed = closedReason;
    log(null, closedReason == null ? "gate open" : "gate closed: " + closedReason);
  }

  // ---- the healer's repairs ----

  /** A repair of {@code node} says it started (its RepairStarted Event). */
  public synchronized void repairStarted(String node) {
    Repair open = repairs.get(node);
    if (open != null) {
      if (open.acted) {
        log(node, "repair started again while the running one has acted");
        breach(Invariant.ONE_REPAIR_PER_NODE, node,
            "a second repair of %s started while the first, which has already acted on it, runs".formatted(node));
      } else {
        log(node, "repair started (again; the same repair retried its first step)");
      }
      return;
    }
    open(node, "repair started");
  }

  /** A repair of {@code node} ended with {@code outcome} (REBOOTED, REPLACED, FAILED, ...). */
  public synchronized void repairEnded(String node, String outcome) {
    Repair ended = repairs.remove(node);
    if (ended == null) {
      return;
    }
    log(node, "repair ended " + outcome);
    boolean stillBroken = servers.values().stream()
        .anyMatch(s -> s.node().equals(node) && s.brokenBySimulation());
    if (!stillBroken) {
      broken.remove(node);
    }
  }

  // ---- the healer's actions ----

  /**
   * OpenStack accepted {@code action} on server {@code serverId} (null for a cluster-wide one).
   * Rejected calls change nothing and are only {@link #note noted}.
   */
  public synchronized void cloudAction(CloudAction action, String serverId, String detail) {
    String node = serverId == null ? null : nodeOfServer(serverId);
    actions.add(new RecordedAction(action, node, serverId, detail));
    log(node, "healer: %s%s%s".formatted(action.name().toLowerCase().replace('_', '-'),
        serverId == null ? "" : " server " + shortId(serverId), detail == null || detail.isEmpty() ? "" : " " + detail));
    if (node == null) {
      return;
    }
    acting(node);
    if (!action.takesNodeDown()) {
      return;
    }
    if (!broken.contains(node)) {
      breach(Invariant.HEALTHY_NODES_LEFT_ALONE, node, "%s of server %s of %s, which the simulation did not break"
          .formatted(action, shortId(serverId), node));
    }
    Server server = servers.get(serverId);
    if (server != null && "master".equals(server.role())) {
      checkQuorum(node, action);
    }
  }

  public synchronized void cordoned(String node) {
    log(node, "healer: cordon");
    acting(node);
  }

  public synchronized void uncordoned(String node) {
    log(node, "healer: uncordon");
  }

  /** The healer deleted Node {@code node}. */
  public synchronized void nodeDeleted(String node) {
    log(node, "healer: delete Node");
    deletedNodes.add(node);
    String serverId = nodeServers.remove(node);
    Server server = serverId == null ? null : servers.get(serverId);
    if (server != null && server.alive()) {
      breach(Invariant.NODE_OUTLIVES_SERVER, node, "Node %s was deleted while its server %s is %s"
          .formatted(node, shortId(serverId), server.status()));
    }
  }

  public synchronized void evicted(String namespace, String pod) {
    log(null, "healer: evict pod %s/%s".formatted(namespace, pod));
  }

  /** Anything else worth seeing in a trail, e.g. a rejected call. */
  public synchronized void note(String node, String text) {
    log(node, text);
  }

  // ---- results ----

  public synchronized List<Breach> breaches() {
    return List.copyOf(breaches);
  }

  /** Throws {@link InvariantsBreachedException} with every breach and its trail, if there is any. */
  public void assertNoBreach() {
    List<Breach> found = breaches();
    if (!found.isEmpty()) {
      throw new InvariantsBreachedException(found);
    }
  }

  /** The accepted OpenStack actions, in order. */
  public synchronized List<RecordedAction> actions() {
    return List.copyOf(actions);
  }

  /** The node of each repair seen to start, in order (a retried first step is not a new one). */
  public synchronized List<String> repairsOpened() {
    return List.copyOf(opened);
  }

  /** The Node objects the healer deleted, in order. */
  public synchronized List<String> deletedNodes() {
    return List.copyOf(deletedNodes);
  }

  /** Every event so far, one line each, in order. */
  public synchronized List<String> trail() {
    return trail.stream().map(this::format).toList();
  }

  // ---- rules ----

  private void open(String node, String why) {
    boolean master = servers.values().stream().anyMatch(s -> s.node().equals(node) && "master".equals(s.role()));
    repairs.put(node, new Repair(node, master));
    opened.add(node);
    log(node, why);
    long running = repairs.size();
    long masters = repairs.values().stream().filter(r -> r.master).count();
    if (running > limits.maxConcurrentRepairs()) {
      breach(Invariant.CONCURRENCY_LIMIT, node, "%d repairs run at once (%s), max-concurrent-repairs is %d"
          .formatted(running, repairs.keySet(), limits.maxConcurrentRepairs()));
    }
    if (master && masters > limits.maxConcurrentMasterRepairs()) {
      breach(Invariant.CONCURRENCY_LIMIT, node, "%d master repairs run at once, max-concurrent-master-repairs is %d"
          .formatted(masters, limits.maxConcurrentMasterRepairs()));
    }
  }

  /** The healer acts on {@code node}: its repair's first action must find the gate open. */
  private void acting(String node) {
    Repair repair = repairs.get(node);
    if (repair == null) {
      open(node, "repair inferred: the healer acts on a node no repair announced");
      repair = repairs.get(node);
    }
    if (repair.acted) {
      return;
    }
    repair.acted = true;
    if (gateClosed != null) {
      breach(Invariant.GATE_RESPECTED, node, "the repair of %s took its first action while the gate is closed: %s"
          .formatted(node, gateClosed));
    }
  }

  private void checkQuorum(String node, CloudAction action) {
    Set<String> masters = new HashSet<>();
    Set<String> othersUp = new HashSet<>();
    for (Server s : servers.values()) {
      if ("master".equals(s.role())) {
        masters.add(s.node());
        if (!s.node().equals(node) && s.up()) {
          othersUp.add(s.node());
        }
      }
    }
    int quorum = masters.size() / 2 + 1;
    if (othersUp.size() < quorum) {
      breach(Invariant.QUORUM_KEPT, node, "%s of master %s while only %d of the other masters are up %s; etcd needs %d of %d"
          .formatted(action, node, othersUp.size(), othersUp, quorum, masters.size()));
    }
  }

  private void breach(Invariant invariant, String node, String message) {
    log(node, "BREACH " + invariant + ": " + message);
    breaches.add(new Breach(invariant, node, message, clock.instant(), trailOf(node)));
  }

  /** The lines of the node and of the cluster as a whole, the latest {@value #TRAIL_LINES}. */
  private List<String> trailOf(String node) {
    List<String> lines = trail.stream()
        .filter(e -> e.node() == null || e.node().equals(node) || node == null)
        .map(this::format)
        .toList();
    if (lines.size() <= TRAIL_LINES) {
      return lines;
    }
    List<String> latest = new ArrayList<>();
    latest.add("... " + (lines.size() - TRAIL_LINES) + " earlier lines");
    latest.addAll(lines.subList(lines.size() - TRAIL_LINES, lines.size()));
    return latest;
  }

  private String nodeOfServer(String serverId) {
    Server server = servers.get(serverId);
    if (server != null) {
      return server.node();
    }
    return departedNodes.getOrDefault(serverId, "server-" + shortId(serverId));
  }

  private void log(String node, String text) {
    trail.add(new Entry(clock.instant(), node, text));
  }

  private String format(Entry e) {
    Duration since = Duration.between(start, e.at());
    return "%+9.3fs  %-22s %s".formatted(since.toMillis() / 1000.0, e.node() == null ? "(cluster)" : e.node(), e.text());
  }

  private static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }
}
