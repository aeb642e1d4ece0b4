package io.autohealer.detector;

/**
 * What the detector did about a node after a {@link Verdict}. The {@code BLOCKED_*} decisions are
 * the safety gates that held a repair back; each has the reason tag used in metrics and Events.
 */
public enum Decision {
  /** Nothing to do: healthy, pending, young or ignored. */
  NONE,
  /** A repair was started, or the running repair of the node was attached to. */
  REPAIR_STARTED,
  /** This process already has a running repair of the node. */
  REPAIR_RUNNING,
  /** Unhealthy and every gate passed, but {@code dry-run} is on: nothing started. */
  DRY_RUN,
  /** Unhealthy, but neither providerID nor machineID gives a server uuid. */
  NO_SERVER_ID,
  /** Temporal refused or could not be reached; tried again on the next check. */
  START_FAILED,

  /** The Node watch or the pause ConfigMap watch is down, or a fresh read of the node failed. */
  BLOCKED_API_UNREADABLE("api_unreadable"),
  /** The cluster-wide pause is set. */
  BLOCKED_PAUSED("paused"),
  /** The node carries {@code autohealer.openstack.org/exclude=true}. */
  BLOCKED_OPTED_OUT("opted_out"),
  /** More nodes of the role are unhealthy than {@code max-unhealthy} allows. */
  BLOCKED_STORM("storm"),
  /** Temporal could not say whether or when the node was last repaired. */
  BLOCKED_HISTORY_UNKNOWN("history_unknown"),
  /** The node had {@code repair-budget} repairs within {@code repair-budget-window}. */
  BLOCKED_BUDGET_EXHAUSTED("budget_exhausted"),
  /** The node's last repair closed less than {@code repair-cooldown} ago. */
  BLOCKED_COOLDOWN("cooldown"),
  /** A master: another master's repair runs (one master at a time). */
  BLOCKED_MASTER_IN_REPAIR("master_in_repair"),
  /** {@code max-concurrent-repairs} repairs of the cluster run. */
  BLOCKED_CONCURRENCY("concurrency");

  private final String reason;

  Decision() {
    this(null);
  }

  Decision(String reason) {
    this.reason = reason;
  }

  /** Whether a safety gate held the repair back. */
  public boolean blocked() {
    return reason != null;
  }

  /** The gate's tag ({@code storm}, {@code cooldown}, ...), or null when not {@link #blocked()}. */
  public String reason() {
    return reason;
  }
}
