package io.autohealer.simulator.world;

/** Nova server statuses the simulator models. */
public enum ServerStatus {
  BUILD,
  ACTIVE,
  REBOOT,
  SHUTOFF,
  ERROR
}
