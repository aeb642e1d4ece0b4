package io.autohealer.simulator.invariants;

/** What the healer must never do to the simulated cluster; {@link InvariantChecker} watches for each. */
public enum Invariant {
  QUORUM_KEPT("etcd keeps its quorum: a master is never taken down while fewer than a majority of the other"
      + " masters are up"),
  HEALTHY_NODES_LEFT_ALONE("a node the simulation did not break is never rebooted, shut off or replaced"),
  NODE_OUTLIVES_SERVER("a Node object is deleted only once its server is gone or stopped"),
  ONE_REPAIR_PER_NODE("one node is never repaired by two repairs at once"),
  CONCURRENCY_LIMIT("no more repairs run at once than max-concurrent-repairs (masters: max-concurrent-master-repairs)"),
  GATE_RESPECTED("no repair starts acting while the gate is closed (cluster not *_COMPLETE, a stack update in"
      + " progress, auto_healing_enabled not true, the healer paused)");

  private final String rule;

  Invariant(String rule) {
    this.rule = rule;
  }

  /** The rule, for people. */
  public String rule() {
    return rule;
  }
}
