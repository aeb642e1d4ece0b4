package io.autohealer.simulator.invariants;

import io.autohealer.config.ClusterPause;
import io.autohealer.simulator.openstack.SimulatedCluster;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gate as the simulated cluster stands: closed when auto_healing_enabled is not true, the
 * healer is paused, the cluster is not *_COMPLETE, or its stack is being updated or failed to be,
 * except while an update the healer asked for itself is under way (a running repair's resize or
 * stack update is counted by the concurrency limit, not by the gate).
 */
final class GateProbe {
  private static final String LABEL = "auto_healing_enabled";

  private final SimulatedCluster cluster;
  private final Supplier<Optional<ClusterPause>> pause;

  GateProbe(SimulatedCluster cluster, Supplier<Optional<ClusterPause>> pause) {
    this.cluster = cluster;
    this.pause = pause;
  }

  /** Why the gate is closed, or null when it is open. */
  String closedReason() {
    String label = cluster.labels().get(LABEL);
    if (!"true".equalsIgnoreCase(label)) {
      return "label " + LABEL + " is " + (label == null ? "missing" : "\"" + label + "\"");
    }
    Optional<ClusterPause> paused = pause.get();
    if (paused.isPresent()) {
      return "the healer is " + paused.get().describe();
    }
    String status = cluster.status();
    String stack = cluster.stackStatus();
    boolean ownUpdate = cluster.updateUnderWay();
    if (!status.endsWith("_COMPLETE") && !(ownUpdate && status.endsWith("_IN_PROGRESS"))) {
      return "cluster is " + status;
    }
    if (stack.equals("UPDATE_FAILED") || (stack.endsWith("_IN_PROGRESS") && !ownUpdate)) {
      return "Heat stack is " + stack;
    }
    return null;
  }
}
