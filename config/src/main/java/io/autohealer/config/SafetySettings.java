package io.autohealer.config;

import java.time.Duration;

/**
 * The detector's safety gates (not in the Go service, which has none): top-level keys of {@code
 * config.yaml}. Each gate is checked before a repair starts; a repair already running is never
 * stopped by them.
 *
 * @param maxUnhealthy {@code max-unhealthy} (default {@code 40%}): a count ({@code 3}) or a
 *     percentage of a role's nodes ({@code 40%}); when more master (or worker) nodes than that are
 *     unhealthy, no master (or worker) repair starts, and one Event says so (see {@link MaxUnhealthy})
 * @param maxConcurrentRepairs {@code max-concurrent-repairs} (default 1, at least 1): how many
 *     repairs of the cluster may run at once, masters and workers together
 * @param maxConcurrentMasterRepairs {@code max-concurrent-master-repairs} (default 1): 0 or 1 only;
 *     masters are repaired one at a time so that etcd keeps its quorum, and 0 starts no master repair
 * @param repairCooldown {@code repair-cooldown} (default 30m): no new repair of a node whose last
 *     repair closed less than this ago ({@code 0s} turns it off)
 * @param repairBudget {@code repair-budget} (default 3, at least 1): how many repairs of one node may
 *     start within {@code repair-budget-window}; past that the node is left for a person, with an
 *     Event, until the oldest of them leaves the window (or a person removes the node's {@code
 *     autohealer.openstack.org/repairs} annotation)
 * @param repairBudgetWindow {@code repair-budget-window} (default 24h, more than 0s)
 * @param controlNamespace {@code control-namespace} (default {@code kube-system}): where the ConfigMap
 *     {@value ClusterPause#CONFIG_MAP} lives, whose annotation {@value ClusterPause#ANNOTATION}
 *     pauses the healer for the whole cluster
 */
public record SafetySettings(
    MaxUnhealthy maxUnhealthy,
    int maxConcurrentRepairs,
    int maxConcurrentMasterRepairs,
    Duration repairCooldown,
    int repairBudget,
    Duration repairBudgetWindow,
    String controlNamespace) {

  public static final int DEFAULT_MAX_CONCURRENT_REPAIRS = 1;
  public static final int MAX_CONCURRENT_MASTER_REPAIRS = 1;
  public static final Duration DEFAULT_REPAIR_COOLDOWN = Duration.ofMinutes(30);
  public static final int DEFAULT_REPAIR_BUDGET = 3;
  public static final Duration DEFAULT_REPAIR_BUDGET_WINDOW = Duration.ofHours(24);

  public static SafetySettings defaults() {
    return new SafetySettings(
        MaxUnhealthy.DEFAULT,
        DEFAULT_MAX_CONCURRENT_REPAIRS,
        MAX_CONCURRENT_MASTER_REPAIRS,
        DEFAULT_REPAIR_COOLDOWN,
        DEFAULT_REPAIR_BUDGET,
        DEFAULT_REPAIR_BUDGET_WINDOW,
        ClusterPause.DEFAULT_NAMESPACE);
  }
}
