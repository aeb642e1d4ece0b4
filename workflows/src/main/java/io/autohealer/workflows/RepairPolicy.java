package io.autohealer.workflows;

import java.time.Duration;

/**
 * Timings of one repair, decided by the detector from its configuration and carried in the
 * workflow input so that a running repair keeps the policy it started with.
 *
 * @param pollInterval how often long-running steps look at the world again
 * @param shutOffTimeout how long a server may take to reach SHUTOFF
 * @param clusterUpdateTimeout how long Magnum may take to finish the resize
 * @param rejoinTimeout how long the replacement node may take to register and turn Ready
 */
public record RepairPolicy(
    Duration pollInterval,
    Duration shutOffTimeout,
    Duration clusterUpdateTimeout,
    Duration rejoinTimeout) {

  public static RepairPolicy defaults() {
    return new RepairPolicy(
        Duration.ofSeconds(10), Duration.ofMinutes(3), Duration.ofMinutes(60), Duration.ofMinutes(30));
  }
}
