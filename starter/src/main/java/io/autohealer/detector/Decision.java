package io.autohealer.detector;

/** What the detector did about a node after a {@link Verdict}. */
public enum Decision {
  /** Nothing to do: healthy, pending, young or ignored. */
  NONE,
  /** A repair was started, or the running repair of the node was attached to. */
  REPAIR_STARTED,
  /** This process already has a running repair of the node. */
  REPAIR_RUNNING,
  /** Unhealthy, but {@code dry-run} is on. */
  DRY_RUN,
  /** Unhealthy, but neither providerID nor machineID gives a server uuid. */
  NO_SERVER_ID,
  /** Temporal refused or could not be reached; tried again on the next check. */
  START_FAILED
}
