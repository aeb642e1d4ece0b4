package io.autohealer.simulator.invariants;

/** What the healer asked of OpenStack, as far as it changes a server or the cluster. */
public enum CloudAction {
  REBOOT(true),
  STOP(true),
  START(false),
  DELETE(true),
  FORCE_DELETE(true),
  /** Heat mark-unhealthy of a node's server or volume: the next stack update rebuilds it. */
  MARK_UNHEALTHY(true),
  /** A Magnum resize naming the server in nodes_to_remove. */
  RESIZE_REMOVE(true),
  /** A Heat stack update of the cluster (no single server). */
  STACK_UPDATE(false),
  DETACH_VOLUME(false);

  private final boolean takesNodeDown;

  CloudAction(boolean takesNodeDown) {
    this.takesNodeDown = takesNodeDown;
  }

  /** Whether it takes the node down (reboots, stops or replaces it). */
  public boolean takesNodeDown() {
    return takesNodeDown;
  }
}
