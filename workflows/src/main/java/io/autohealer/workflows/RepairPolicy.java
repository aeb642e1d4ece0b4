package io.autohealer.workflows;

import java.time.Duration;

/**
 * How one repair behaves, decided by the detector from its configuration and carried in the
 * workflow input, so that a running repair keeps the policy it started with.
 *
 * @param pollInterval how often long-running steps look at the world again
 * @param gateRecheckInterval how long a repair waits before looking again at a closed gate
 * @param requireApproval wait for an operator's approve signal before the first destructive step
 * @param cordonMasters cordon masters too (the Go service cordons workers only)
 * @param drain evict the pods of a worker before it is rebooted or rebuilt
 * @param drainTimeout how long a drain may take before the repair goes on without it
 * @param reboot try a soft reboot before a rebuild (the Go service's first step)
 * @param rebuildDelayAfterReboot how long a rebooted node may take to be Ready (Go's
 *     {@code rebuild-delay-after-reboot}); if it is not, the server is rebuilt
 * @param rebootCooldown a node the healer rebooted less than this ago is rebuilt, not rebooted again
 * @param shutOffTimeout how long a server may take to reach SHUTOFF
 * @param csiDetachTimeout how long CSI drivers may take to detach their volumes after a drain
 * @param clusterUpdateTimeout how long Magnum or Heat may take to finish an update
 * @param rejoinTimeout how long a replaced or rebuilt node may take to register and turn Ready
 */
public record RepairPolicy(
    Duration pollInterval,
    Duration gateRecheckInterval,
    boolean requireApproval,
    boolean cordonMasters,
    boolean drain,
    Duration drainTimeout,
    boolean reboot,
    Duration rebuildDelayAfterReboot,
    Duration rebootCooldown,
    Duration shutOffTimeout,
    Duration csiDetachTimeout,
    Duration clusterUpdateTimeout,
    Duration rejoinTimeout) {

  public static RepairPolicy defaults() {
    return new RepairPolicy(
        Duration.ofSeconds(10),
        Duration.ofMinutes(1),
        false,
        false,
        true,
        Duration.ofMinutes(10),
        true,
        Duration.ofMinutes(5),
        Duration.ofHours(1),
        Duration.ofMinutes(3),
        Duration.ofMinutes(5),
        Duration.ofMinutes(60),
        Duration.ofMinutes(30));
  }
}
