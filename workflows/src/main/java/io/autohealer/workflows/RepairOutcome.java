package io.autohealer.workflows;

/** How a repair ended; upserted as the RepairOutcome search attribute when it ends. */
public enum RepairOutcome {
  /** The node was healthy again before anything destructive was done. */
  RECOVERED,
  /** A soft reboot made the node Ready again; it was uncordoned. */
  REBOOTED,
  /** A worker's server was replaced through a Magnum resize and the nodegroup is Ready again. */
  REPLACED,
  /** A master's server was rebuilt by a Heat stack update and the node is Ready again. */
  REBUILT,
  /** An operator cancelled the repair; a healthy node was uncordoned. */
  CANCELLED,
  /** The repair could not proceed; the node is left cordoned and annotated, nothing was deleted. */
  FAILED
}
