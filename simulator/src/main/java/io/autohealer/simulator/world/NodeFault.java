package io.autohealer.simulator.world;

/** What is wrong inside a server, as its kubelet would experience it. */
public enum NodeFault {
  NONE,
  /** The kubelet stopped; a reboot starts it again. */
  KUBELET_STOPPED,
  /** The node is broken in a way a reboot does not fix; only a new server does. */
  BROKEN_UNTIL_REPLACED
}
