package io.autohealer.config;

import io.autohealer.workflows.RepairPolicy;
import java.time.Duration;

/**
 * The whole {@code config.yaml}: every key of the Go {@code magnum-auto-healer} with its default,
 * plus additive keys and sections of our own ({@code temporal}, {@code repair}, the safety gates,
 * {@code leader-election}, {@code metrics-port}). Load it with {@link ConfigLoader}.
 *
 * @param clusterName {@code cluster-name} (required): Magnum cluster uuid or name
 * @param dryRun {@code dry-run} (false): decide and report, change nothing
 * @param cloudProvider {@code cloud-provider} ({@code openstack}, the only one)
 * @param monitorInterval {@code monitor-interval} (60s): period of the full check of all nodes
 * @param masterMonitorEnabled {@code master-monitor-enabled} (true)
 * @param workerMonitorEnabled {@code worker-monitor-enabled} (true)
 * @param leaderElect {@code leader-elect} (true)
 * @param checkDelayAfterAdd {@code check-delay-after-add} (10m): grace after a Node's creation
 * @param rebuildDelayAfterReboot {@code rebuild-delay-after-reboot} (5m): how long a reboot may take to make the node Ready
 * @param healthCheck {@code healthcheck.master} / {@code healthcheck.worker}
 * @param kubernetes {@code kubernetes.*}
 * @param openstack {@code openstack.*}
 * @param temporal {@code temporal.*} (ours)
 * @param repair {@code repair.*} (ours): timings carried by every repair started
 * @param safety the detector's safety gates (ours): top-level {@code max-unhealthy}, {@code
 *     max-concurrent-repairs}, {@code max-concurrent-master-repairs}, {@code repair-cooldown},
 *     {@code repair-budget}, {@code repair-budget-window}, {@code control-namespace}
 * @param leaderElection {@code leader-election.*} (ours): the Lease and its timings, used when
 *     {@code leader-elect} is true
 * @param metricsPort {@code metrics-port} (ours, default {@value #DEFAULT_METRICS_PORT}; 0 = off): the
 *     detector's HTTP port for {@code /metrics} (Prometheus), {@code /healthz} and {@code /readyz}
 */
public record AutoHealerConfig(
    String clusterName,
    boolean dryRun,
    String cloudProvider,
    Duration monitorInterval,
    boolean masterMonitorEnabled,
    boolean workerMonitorEnabled,
    boolean leaderElect,
    Duration checkDelayAfterAdd,
    Duration rebuildDelayAfterReboot,
    HealthCheckSettings healthCheck,
    KubernetesSettings kubernetes,
    OpenStackSettings openstack,
    TemporalSettings temporal,
    RepairPolicy repair,
    SafetySettings safety,
    LeaderElectionSettings leaderElection,
    int metricsPort) {

  public static final String OPENSTACK = "openstack";
  public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_CHECK_DELAY_AFTER_ADD = Duration.ofMinutes(10);
  public static final Duration DEFAULT_REBUILD_DELAY_AFTER_REBOOT = Duration.ofMinutes(5);
  public static final int DEFAULT_METRICS_PORT = 9464;
}
