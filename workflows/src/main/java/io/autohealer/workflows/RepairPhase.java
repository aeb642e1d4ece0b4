package io.autohealer.workflows;

/** Where a repair is; upserted as the RepairPhase search attribute at every step. */
public enum RepairPhase {
  VERIFYING,
  CORDONING,
  SHUTTING_OFF,
  REPLACING,
  AWAITING_CLUSTER_UPDATE,
  AWAITING_REJOIN,
  REMOVING_OLD_NODE,
  DONE
}
