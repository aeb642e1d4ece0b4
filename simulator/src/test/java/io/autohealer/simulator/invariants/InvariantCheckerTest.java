package io.autohealer.simulator.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scripted event sequences, as the simulator would report them, that must and must not breach. */
class InvariantCheckerTest {
  private static final Instant T0 = Instant.parse("2026-11-25T06:00:00Z");

  private TickingClock clock;
  private InvariantChecker checker;

  /** One millisecond later at every read, so that the trail has distinct, ordered times. */
  private static final class TickingClock extends Clock {
    private Instant now = T0;

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      now = now.plus(Duration.ofMillis(1));
      return now;
    }
  }

  @BeforeEach
  void cluster() {
    clock = new TickingClock();
    checker = new InvariantChecker(new RepairLimits(2, 1), clock);
    for (int i = 0; i < 3; i++) {
      checker.serverChanged("m" + i, "k8s-master-" + i, "master", ServerStatus.ACTIVE, NodeFault.NONE);
      checker.nodeRegistered("k8s-master-" + i, "m" + i);
    }
    for (int i = 0; i < 4; i++) {
      checker.serverChanged("w" + i, "k8s-node-" + i, "worker", ServerStatus.ACTIVE, NodeFault.NONE);
      checker.nodeRegistered("k8s-node-" + i, "w" + i);
    }
    checker.gate(null);
  }

  private void breakServer(String id, String node, String role, NodeFault fault) {
    checker.serverChanged(id, node, role, ServerStatus.ACTIVE, fault);
  }

  private List<Invariant> breached() {
    return checker.breaches().stream().map(Breach::invariant).toList();
  }

  /** A worker replaced as the healer does it: reboot, shut off, resize, old Node deleted after. */
  private void replaceWorker(String id, String node) {
    checker.repairStarted(node);
    checker.cordoned(node);
    checker.cloudAction(CloudAction.REBOOT, id, "SOFT");
    checker.serverChanged(id, node, "worker", ServerStatus.REBOOT, NodeFault.BROKEN_UNTIL_REPLACED);
    checker.serverChanged(id, node, "worker", ServerStatus.ACTIVE, NodeFault.BROKEN_UNTIL_REPLACED);
    checker.cloudAction(CloudAction.STOP, id, "");
    checker.serverChanged(id, node, "worker", ServerStatus.SHUTOFF, NodeFault.BROKEN_UNTIL_REPLACED);
    checker.cloudAction(CloudAction.RESIZE_REMOVE, id, "node_count 4");
    checker.serverDeleted(id, node);
    checker.serverChanged(id + "-new", node + "-new", "worker", ServerStatus.BUILD, NodeFault.NONE);
    checker.serverChanged(id + "-new", node + "-new", "worker", ServerStatus.ACTIVE, NodeFault.NONE);
    checker.nodeRegistered(node + "-new", id + "-new");
    checker.nodeDeleted(node);
    checker.repairEnded(node, "REPLACED");
  }

  @Test
  void aRebootThatHealsAStoppedKubeletBreaksNothing() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-node-0");
    checker.cordoned("k8s-node-0");
    checker.evicted("default", "web-1");
    checker.cloudAction(CloudAction.REBOOT, "w0", "SOFT");
    checker.serverChanged("w0", "k8s-node-0", "worker", ServerStatus.REBOOT, NodeFault.KUBELET_STOPPED);
    checker.serverChanged("w0", "k8s-node-0", "worker", ServerStatus.ACTIVE, NodeFault.NONE);
    checker.uncordoned("k8s-node-0");
    checker.repairEnded("k8s-node-0", "REBOOTED");

    assertEquals(List.of(), breached(), () -> String.join("\n", checker.trail()));
  }

  @Test
  void aWorkerReplacedStepByStepBreaksNothing() {
    breakServer("w1", "k8s-node-1", "worker", NodeFault.BROKEN_UNTIL_REPLACED);
    replaceWorker("w1", "k8s-node-1");

    assertEquals(List.of(), breached(), () -> String.join("\n", checker.trail()));
    assertEquals(1, checker.actions().stream().filter(a -> a.action() == CloudAction.RESIZE_REMOVE).count());
  }

  @Test
  void rebootingANodeTheSimulationDidNotBreakIsABreach() {
    checker.repairStarted("k8s-node-2");
    checker.cloudAction(CloudAction.REBOOT, "w2", "SOFT");

    assertEquals(List.of(Invariant.HEALTHY_NODES_LEFT_ALONE), breached());
  }

  @Test
  void aNodeHealedByItsRebootMayNotBeShutOffAfterItsRepairEnded() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-node-0");
    checker.cloudAction(CloudAction.REBOOT, "w0", "SOFT");
    checker.serverChanged("w0", "k8s-node-0", "worker", ServerStatus.ACTIVE, NodeFault.NONE);
    checker.repairEnded("k8s-node-0", "REBOOTED");

    checker.cloudAction(CloudAction.STOP, "w0", "");

    assertEquals(List.of(Invariant.HEALTHY_NODES_LEFT_ALONE), breached());
  }

  @Test
  void aMarkUnhealthyOfAHealthyMasterIsABreach() {
    checker.cloudAction(CloudAction.MARK_UNHEALTHY, "m1", "resource kube-master");

    assertTrue(breached().contains(Invariant.HEALTHY_NODES_LEFT_ALONE), breached()::toString);
  }

  @Test
  void rebuildingOneBrokenMasterOfThreeKeepsQuorum() {
    breakServer("m0", "k8s-master-0", "master", NodeFault.BROKEN_UNTIL_REPLACED);
    checker.repairStarted("k8s-master-0");
    checker.cloudAction(CloudAction.MARK_UNHEALTHY, "m0", "resource kube-master");
    checker.cloudAction(CloudAction.STOP, "m0", "");
    checker.cloudAction(CloudAction.STACK_UPDATE, null, "stack k8s");
    checker.serverDeleted("m0", "k8s-master-0");
    checker.serverChanged("m0b", "k8s-master-0", "master", ServerStatus.BUILD, NodeFault.NONE);
    checker.nodeDeleted("k8s-master-0");
    checker.serverChanged("m0b", "k8s-master-0", "master", ServerStatus.ACTIVE, NodeFault.NONE);
    checker.nodeRegistered("k8s-master-0", "m0b");
    checker.repairEnded("k8s-master-0", "REBUILT");

    assertEquals(List.of(), breached(), () -> String.join("\n", checker.trail()));
  }

  @Test
  void takingAMasterDownWhileAnotherIsDownLosesQuorum() {
    breakServer("m0", "k8s-master-0", "master", NodeFault.BROKEN_UNTIL_REPLACED);
    breakServer("m1", "k8s-master-1", "master", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-master-0");
    checker.cloudAction(CloudAction.STOP, "m0", "");

    assertEquals(List.of(Invariant.QUORUM_KEPT), breached());
    Breach breach = checker.breaches().get(0);
    assertTrue(breach.message().contains("only 1 of the other masters are up"), breach.message());
  }

  @Test
  void deletingTheNodeOfARunningServerIsABreach() {
    breakServer("w3", "k8s-node-3", "worker", NodeFault.BROKEN_UNTIL_REPLACED);
    checker.repairStarted("k8s-node-3");
    checker.cordoned("k8s-node-3");
    checker.nodeDeleted("k8s-node-3");

    assertEquals(List.of(Invariant.NODE_OUTLIVES_SERVER), breached());
  }

  @Test
  void deletingTheNodeOfAStoppedServerIsNot() {
    breakServer("w3", "k8s-node-3", "worker", NodeFault.BROKEN_UNTIL_REPLACED);
    checker.repairStarted("k8s-node-3");
    checker.cloudAction(CloudAction.STOP, "w3", "");
    checker.serverChanged("w3", "k8s-node-3", "worker", ServerStatus.SHUTOFF, NodeFault.BROKEN_UNTIL_REPLACED);
    checker.nodeDeleted("k8s-node-3");

    assertEquals(List.of(), breached());
  }

  @Test
  void aSecondRepairOfANodeWhoseRepairHasActedIsABreach() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.BROKEN_UNTIL_REPLACED);
    checker.repairStarted("k8s-node-0");
    checker.cordoned("k8s-node-0");
    checker.repairStarted("k8s-node-0");

    assertEquals(List.of(Invariant.ONE_REPAIR_PER_NODE), breached());
  }

  @Test
  void aRetriedFirstStepIsNotASecondRepair() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-node-0");
    checker.repairStarted("k8s-node-0");
    checker.cordoned("k8s-node-0");

    assertEquals(List.of(), breached());
  }

  @Test
  void moreRepairsThanTheLimitIsABreach() {
    for (int i = 0; i < 3; i++) {
      breakServer("w" + i, "k8s-node-" + i, "worker", NodeFault.KUBELET_STOPPED);
    }
    checker.repairStarted("k8s-node-0");
    checker.repairStarted("k8s-node-1");
    checker.repairEnded("k8s-node-0", "REBOOTED");
    checker.repairStarted("k8s-node-2");
    assertEquals(List.of(), breached(), "two at a time is within max-concurrent-repairs 2");

    checker.repairStarted("k8s-node-0");

    assertEquals(List.of(Invariant.CONCURRENCY_LIMIT), breached());
  }

  @Test
  void twoMasterRepairsAtOnceIsABreach() {
    breakServer("m0", "k8s-master-0", "master", NodeFault.KUBELET_STOPPED);
    breakServer("m1", "k8s-master-1", "master", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-master-0");
    checker.repairStarted("k8s-master-1");

    assertEquals(List.of(Invariant.CONCURRENCY_LIMIT), breached());
  }

  @Test
  void aRepairThatWaitsForTheGateBreaksNothing() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.KUBELET_STOPPED);
    checker.gate("cluster is UPDATE_IN_PROGRESS");
    checker.repairStarted("k8s-node-0");
    checker.gate(null);
    checker.cordoned("k8s-node-0");
    checker.cloudAction(CloudAction.REBOOT, "w0", "SOFT");

    assertEquals(List.of(), breached());
  }

  @Test
  void actingWhileTheGateIsClosedIsABreach() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-node-0");
    checker.gate("the healer is paused");
    checker.cordoned("k8s-node-0");

    assertEquals(List.of(Invariant.GATE_RESPECTED), breached());
  }

  @Test
  void aRepairUnderWayGoesOnWhenTheGateClosesBehindIt() {
    breakServer("w0", "k8s-node-0", "worker", NodeFault.BROKEN_UNTIL_REPLACED);
    checker.repairStarted("k8s-node-0");
    checker.cordoned("k8s-node-0");
    checker.gate("cluster is UPDATE_FAILED");
    checker.cloudAction(CloudAction.STOP, "w0", "");

    assertEquals(List.of(), breached());
  }

  @Test
  void theBreachCarriesTheTimeOrderedTrailOfItsNode() {
    breakServer("w2", "k8s-node-2", "worker", NodeFault.KUBELET_STOPPED);
    breakServer("w0", "k8s-node-0", "worker", NodeFault.KUBELET_STOPPED);
    checker.repairStarted("k8s-node-0");
    checker.gate("cluster is UPDATE_IN_PROGRESS");
    checker.cloudAction(CloudAction.REBOOT, "w0", "SOFT");

    Breach breach = checker.breaches().get(0);
    List<String> trail = breach.trail();
    assertTrue(trail.stream().noneMatch(l -> l.contains("k8s-node-2")), "other nodes' events are left out:\n" + trail);
    List<String> expected = List.of("simulation broke server w0: KUBELET_STOPPED", "repair started",
        "gate closed: cluster is UPDATE_IN_PROGRESS", "healer: reboot server w0 SOFT");
    int at = -1;
    for (String line : expected) {
      int next = indexOf(trail, line);
      assertTrue(next > at, "'" + line + "' after the line before it in:\n" + String.join("\n", trail));
      at = next;
    }
    InvariantsBreachedException thrown = assertThrows(InvariantsBreachedException.class, checker::assertNoBreach);
    assertTrue(thrown.getMessage().contains("GATE_RESPECTED"), thrown.getMessage());
    assertTrue(thrown.getMessage().contains("healer: reboot server w0 SOFT"), thrown.getMessage());
  }

  private static int indexOf(List<String> trail, String text) {
    for (int i = 0; i < trail.size(); i++) {
      if (trail.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }
}
