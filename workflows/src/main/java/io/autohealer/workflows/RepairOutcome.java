package io.autohealer.workflows;

/** How a repair ended; upserted as the RepairOutcome search attribute when it ends. */
public enum RepairOutcome {
  /** The node was healthy again before anything was changed. */
  RECOVERED,
  /** A worker's server was replaced through a Magnum resize and the replacement is Ready. */
  REPLACED,
  /** The repair could not proceed; the node is left cordoned and nothing was deleted. */
  FAILED
}
