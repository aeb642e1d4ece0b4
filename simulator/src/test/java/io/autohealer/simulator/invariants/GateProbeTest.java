package io.autohealer.simulator.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ClusterPause;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.SimTiming;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** When the checker counts the gate closed: the operator's and Magnum's holds, not a repair's own update. */
class GateProbeTest {
  private final OpenStackSimulator openstack = new OpenStackSimulator(new CloudWorld(new SimTiming(100)));
  private final AtomicReference<Optional<ClusterPause>> pause = new AtomicReference<>(Optional.empty());

  private GateProbe probe(SimulatedCluster cluster) {
    return new GateProbe(cluster, pause::get);
  }

  @Test
  void closedWhileTheClusterOrItsStackIsHeldFromOutside() {
    SimulatedCluster cluster = openstack.newCluster("k8s").masters(1).workers(1).label("auto_healing_enabled", "true")
        .create();
    GateProbe gate = probe(cluster);
    assertNull(gate.closedReason());

    cluster.setStatus("UPDATE_IN_PROGRESS", "an upgrade");
    assertEquals("cluster is UPDATE_IN_PROGRESS", gate.closedReason());
    cluster.setStatus("UPDATE_FAILED", "it failed");
    assertEquals("cluster is UPDATE_FAILED", gate.closedReason());
    cluster.setStatus("UPDATE_COMPLETE", null);
    assertNull(gate.closedReason());

    cluster.setStackStatus("UPDATE_IN_PROGRESS", "someone's stack update");
    assertEquals("Heat stack is UPDATE_IN_PROGRESS", gate.closedReason());
    cluster.setStackStatus("UPDATE_FAILED", "it failed");
    assertEquals("Heat stack is UPDATE_FAILED", gate.closedReason());
    cluster.setStackStatus("UPDATE_COMPLETE", null);
    assertNull(gate.closedReason());

    pause.set(Optional.of(new ClusterPause("alice", "etcd maintenance", Instant.parse("2026-11-25T06:00:00Z"))));
    assertTrue(gate.closedReason().startsWith("the healer is paused"), gate.closedReason());
  }

  @Test
  void closedWithoutTheLabel() {
    SimulatedCluster cluster = openstack.newCluster("off").masters(1).workers(1).label("auto_healing_enabled", "false")
        .create();

    assertEquals("label auto_healing_enabled is \"false\"", probe(cluster).closedReason());
  }
}
