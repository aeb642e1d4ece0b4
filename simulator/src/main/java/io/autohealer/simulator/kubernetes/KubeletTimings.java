package io.autohealer.simulator.kubernetes;

import java.time.Duration;
import java.util.Objects;

/**
 * How long simulated kubelets and the node controller take, in real (unscaled) time; the
 * simulation's {@code SimTiming} speeds them up.
 *
 * @param firstBoot from a new server turning ACTIVE to its Node registering Ready (cloud-init,
 *     Magnum's agents, kubelet start)
 * @param reboot from a known server turning ACTIVE again (reboot, start) to its Node being Ready
 * @param kubeletRestart from a fault cleared in a running server to its Node being Ready
 * @param nodeMonitorGracePeriod how long the node controller waits for a silent kubelet before it
 *     sets the node's conditions to Unknown (kube-controller-manager's 40 s default)
 */
public record KubeletTimings(
    Duration firstBoot, Duration reboot, Duration kubeletRestart, Duration nodeMonitorGracePeriod) {

  public KubeletTimings {
    Objects.requireNonNull(firstBoot, "firstBoot");
    Objects.requireNonNull(reboot, "reboot");
    Objects.requireNonNull(kubeletRestart, "kubeletRestart");
    Objects.requireNonNull(nodeMonitorGracePeriod, "nodeMonitorGracePeriod");
  }

  public static KubeletTimings defaults() {
    return new KubeletTimings(
        Duration.ofSeconds(120), Duration.ofSeconds(45), Duration.ofSeconds(5), Duration.ofSeconds(40));
  }
}
