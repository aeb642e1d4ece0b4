package io.autohealer.workflows;

/** Names shared by the detector, the worker and the CLI. */
public final class RepairIds {
  private RepairIds() {}

  /** One repair per node at a time: a second start with this id attaches to the running one. */
  public static String workflowId(String cluster, String node) {
    return "repair-" + cluster + "-" + node;
  }

  /** Each cluster has its own task queue, so many clusters can share one Temporal namespace. */
  public static String taskQueue(String cluster) {
    return "autohealer-" + cluster;
  }
}
