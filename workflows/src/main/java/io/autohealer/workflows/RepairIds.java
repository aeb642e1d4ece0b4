package io.autohealer.workflows;

/** Names shared by the detector, the worker and the CLI. */
public final class RepairIds {
  private RepairIds() {}

  /** One repair per node at a time: a second start with this id attaches to the running one. */
  public static String workflowId(String cluster, String node) {
    return "repair-" + cluster + "-" + node;
  }

  /**
   * The cluster's one {@link ClusterHealthWorkflow}, which the detector signals with each health
   * report and which reports the status to Magnum.
   */
  public static String healthWorkflowId(String cluster) {
    return "health-" + cluster;
  }

  /** Each cluster has its own task queue, so many clusters can share one Temporal namespace. */
  public static String taskQueue(String cluster) {
    return "autohealer-" + cluster;
  }
}
