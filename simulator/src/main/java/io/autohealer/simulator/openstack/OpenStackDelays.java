package io.autohealer.simulator.openstack;

import java.time.Duration;

/**
 * How long simulated operations take in real time; the simulator divides them by {@link
 * io.autohealer.simulator.world.SimTiming#speed()}.
 *
 * @param stop os-stop until SHUTOFF
 * @param start os-start until ACTIVE
 * @param softReboot a SOFT reboot until ACTIVE again
 * @param hardReboot a HARD reboot until ACTIVE again
 * @param delete a delete or forceDelete until the server is gone
 * @param boot a new server from BUILD to ACTIVE
 * @param conductorPickup from an accepted Magnum request until the conductor acts on it
 * @param stackUpdate from a Heat stack update start until old servers are deleted and new ones built
 * @param settle from the last new server going ACTIVE until the update is COMPLETE
 * @param detach a volume detach until the volume is available and gone from the server
 */
public record OpenStackDelays(
    Duration stop,
    Duration start,
    Duration softReboot,
    Duration hardReboot,
    Duration delete,
    Duration boot,
    Duration conductorPickup,
    Duration stackUpdate,
    Duration settle,
    Duration detach) {

  /** Without a detach delay of its own: detaching takes as long as a delete. */
  public OpenStackDelays(
      Duration stop, Duration start, Duration softReboot, Duration hardReboot, Duration delete,
      Duration boot, Duration conductorPickup, Duration stackUpdate, Duration settle) {
    this(stop, start, softReboot, hardReboot, delete, boot, conductorPickup, stackUpdate, settle, delete);
  }

  public OpenStackDelays withDetach(Duration detach) {
    return new OpenStackDelays(stop, start, softReboot, hardReboot, delete, boot, conductorPickup,
        stackUpdate, settle, detach);
  }

  /** Roughly what a small real cloud takes. */
  public static OpenStackDelays realistic() {
    return new OpenStackDelays(
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(20),
        Duration.ofSeconds(5),
        Duration.ofSeconds(90),
        Duration.ofSeconds(2),
        Duration.ofSeconds(20),
        Duration.ofSeconds(10),
        Duration.ofSeconds(5));
  }
}
