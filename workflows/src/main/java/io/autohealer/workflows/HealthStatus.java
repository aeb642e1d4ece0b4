package io.autohealer.workflows;

/** Magnum's {@code health_status} values. */
public enum HealthStatus {
  /** Every node was judged and none failed its checks. */
  HEALTHY,
  /** At least one node, master or worker, failed a check. */
  UNHEALTHY,
  /** The detector could not judge: the Kubernetes API could not be read, or the detector is silent. */
  UNKNOWN
}
