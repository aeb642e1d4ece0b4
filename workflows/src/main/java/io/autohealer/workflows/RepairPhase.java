package io.autohealer.workflows;

/** Where a repair is; upserted as the RepairPhase search attribute at every step. */
public enum RepairPhase {
  VERIFYING,
  /** The gate is closed (healing disabled, cluster busy, healer paused, node opted out): waiting. */
  GATED,
  /** Paused by an operator: waiting for resume. */
  PAUSED,
  AWAITING_APPROVAL,
  CORDONING,
  DRAINING,
  REBOOTING,
  AWAITING_READY_AFTER_REBOOT,
  UNCORDONING,
  CHECKING_QUORUM,
  AWAITING_CSI_DETACH,
  DETACHING_VOLUMES,
  SHUTTING_OFF,
  REPLACING,
  MARKING_UNHEALTHY,
  UPDATING_STACK,
  AWAITING_CLUSTER_UPDATE,
  AWAITING_REJOIN,
  REMOVING_OLD_NODE,
  /** Leaving the node cordoned and annotated for a person after a repair gave up. */
  RECORDING_FAILURE,
  DONE
}
