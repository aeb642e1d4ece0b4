package io.autohealer.detector;

import io.autohealer.config.ClusterPause;
import io.autohealer.config.GoDuration;
import io.autohealer.config.SafetySettings;
import io.autohealer.workflows.NodeRole;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The safety gates a repair must pass before it starts, in this order (the first that holds it
 * back is the reason given):
 *
 * <ol>
 *   <li>{@code api_unreadable}: the Node or pause watch is down, or the node cannot be read now;
 *       nothing is judged on state that may be stale;
 *   <li>{@code paused}: the cluster-wide pause is set (ConfigMap {@value ClusterPause#CONFIG_MAP});
 *   <li>{@code opted_out}: the node carries {@code autohealer.openstack.org/exclude=true};
 *   <li>{@code storm}: more nodes of its role fail their checks than {@code max-unhealthy} allows;
 *   <li>{@code history_unknown}: Temporal cannot tell when the node was last repaired;
 *   <li>{@code budget_exhausted}: {@code repair-budget} repairs of it started within {@code
 *       repair-budget-window}; it is left for a person;
 *   <li>{@code cooldown}: its last repair closed less than {@code repair-cooldown} ago;
 *   <li>{@code master_in_repair}: a master, while another master's repair runs;
 *   <li>{@code concurrency}: {@code max-concurrent-repairs} repairs of the cluster run.
 * </ol>
 *
 * <p>Pure: everything it needs comes in as values, so each gate is tested on its own.
 */
final class RepairGates {
  private final SafetySettings settings;

  RepairGates(SafetySettings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  SafetySettings settings() {
    return settings;
  }

  /**
   * What the gates know of the cluster.
   *
   * @param apiProblem why the Kubernetes API cannot be trusted now, or null when it can
   * @param pause the cluster-wide pause, if set
   * @param masters the master nodes
   * @param workers the worker nodes
   * @param failingMasters masters failing a check now (unhealthy, or failing but within their
   *     unhealthy-duration)
   * @param failingWorkers workers failing a check now
   * @param runningRepairs the cluster's running repairs, masters and workers
   * @param runningMasterRepairs the running repairs of masters
   */
  record ClusterState(
      String apiProblem,
      Optional<ClusterPause> pause,
      int masters,
      int workers,
      int failingMasters,
      int failingWorkers,
      int runningRepairs,
      int runningMasterRepairs) {

    int nodes(NodeRole role) {
      return role == NodeRole.MASTER ? masters : workers;
    }

    int failing(NodeRole role) {
      return role == NodeRole.MASTER ? failingMasters : failingWorkers;
    }
  }

  /**
   * What the gates know of the node.
   *
   * @param historyProblem why Temporal cannot tell the node's last repair, or null
   * @param lastRepairClosedAt when its last repair closed, or null when it has none (or unknown)
   * @param recentStarts when its recent repairs started ({@link RepairBudget})
   */
  record Candidate(
      String node,
      NodeRole role,
      boolean optedOut,
      String historyProblem,
      Instant lastRepairClosedAt,
      List<Instant> recentStarts) {}

  /**
   * A repair held back.
   *
   * @param decision the gate ({@link Decision#blocked()} is true)
   * @param message why, for people (logs, Events)
   * @param retryAt when this gate opens by itself (cool-down, budget), or null when it opens on a change
   */
  record Block(Decision decision, String message, Instant retryAt) {}

  /** The first gate that holds the repair back, or empty when it may start. */
  Optional<Block> check(Candidate candidate, ClusterState state, Instant now) {
    NodeRole role = candidate.role();
    String roleName = role.name().toLowerCase(Locale.ROOT);
    if (state.apiProblem() != null) {
      return block(Decision.BLOCKED_API_UNREADABLE, "the Kubernetes API cannot be read (" + state.apiProblem()
          + "): no repair starts on state that may be stale");
    }
    if (state.pause().isPresent()) {
      return block(Decision.BLOCKED_PAUSED, "the healer is " + state.pause().get().describe()
          + " (ConfigMap " + settings.controlNamespace() + "/" + ClusterPause.CONFIG_MAP + ")");
    }
    if (candidate.optedOut()) {
      return block(Decision.BLOCKED_OPTED_OUT, "the node is excluded from repair (autohealer.openstack.org/exclude=true)");
    }
    int failing = state.failing(role);
    int limit = settings.maxUnhealthy().limit(state.nodes(role));
    if (failing > limit) {
      return block(Decision.BLOCKED_STORM, stormMessage(roleName, failing, state.nodes(role), limit));
    }
    if (candidate.historyProblem() != null) {
      return block(Decision.BLOCKED_HISTORY_UNKNOWN,
          "cannot read the node's last repair from Temporal (" + candidate.historyProblem() + ")");
    }
    List<Instant> recent = RepairBudget.within(candidate.recentStarts(), now, settings.repairBudgetWindow());
    if (recent.size() >= settings.repairBudget()) {
      Instant frees = recent.get(recent.size() - settings.repairBudget()).plus(settings.repairBudgetWindow());
      return Optional.of(new Block(Decision.BLOCKED_BUDGET_EXHAUSTED,
          "the node was repaired " + recent.size() + " times within " + GoDuration.format(settings.repairBudgetWindow())
              + " (repair-budget " + settings.repairBudget() + "), most recently at " + recent.get(recent.size() - 1)
              + "; it is left for a person until " + frees
              + " (remove its annotation " + RepairBudget.ANNOTATION + " to allow more repairs now)",
          frees));
    }
    Instant closed = candidate.lastRepairClosedAt();
    if (closed != null && now.isBefore(closed.plus(settings.repairCooldown()))) {
      Instant until = closed.plus(settings.repairCooldown());
      return Optional.of(new Block(Decision.BLOCKED_COOLDOWN,
          "its last repair closed at " + closed + ", less than repair-cooldown "
              + GoDuration.format(settings.repairCooldown()) + " ago; the next may start at " + until,
          until));
    }
    if (role == NodeRole.MASTER && state.runningMasterRepairs() >= settings.maxConcurrentMasterRepairs()) {
      return block(Decision.BLOCKED_MASTER_IN_REPAIR, settings.maxConcurrentMasterRepairs() == 0
          ? "master repairs are off (max-concurrent-master-repairs: 0)"
          : "another master's repair runs; masters are repaired one at a time");
    }
    if (state.runningRepairs() >= settings.maxConcurrentRepairs()) {
      return block(Decision.BLOCKED_CONCURRENCY, state.runningRepairs() + " repair(s) of the cluster run"
          + " (max-concurrent-repairs " + settings.maxConcurrentRepairs() + ")");
    }
    return Optional.empty();
  }

  /** Whether more nodes of the role fail than {@code max-unhealthy} allows. */
  boolean storm(NodeRole role, ClusterState state) {
    return state.failing(role) > settings.maxUnhealthy().limit(state.nodes(role));
  }

  String stormMessage(String roleName, int failing, int nodes, int limit) {
    return failing + " of " + nodes + " " + roleName + " nodes are unhealthy, more than max-unhealthy "
        + settings.maxUnhealthy() + " allows (" + limit + "): no " + roleName
        + " repair starts until fewer are (a network partition or an outage is likelier than so many broken machines)";
  }

  private static Optional<Block> block(Decision decision, String message) {
    return Optional.of(new Block(decision, message, null));
  }
}
