package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.world.NodeFault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A partition: 6 of the 10 nodes of a cluster (3 masters, 7 workers) go NotReady at once, far more
 * than {@code max-unhealthy: 40%} of the workers. The detector and worker processes start no
 * repair, post one storm-guard Event for the storm (not one per pass), and report the cluster
 * UNHEALTHY to Magnum with every partitioned node in the reason.
 */
class NodePartitionTest {
  private static final int NODES = 10;
  private static final int PARTITIONED = 6;
  /** Detector passes (monitor-interval 1s) watched after everything was reported. */
  private static final Duration MORE_PASSES = Duration.ofSeconds(6);

  @Test
  void sixtyPercentOfTheNodesNotReadyStartNoRepairAndPostOneEvent(TestInfo test) throws Exception {
    try (FaultRig rig = FaultRig.start(test, new Simulator.Options("k8s", 3, NODES - 3, FaultRig.SPEED))) {
      Simulator simulator = rig.simulator();
      rig.writeConfig(Map.of("max-unhealthy", "40%", "monitor-interval", "1s"));
      ChildJvm worker = rig.startWorker();
      ChildJvm detector = rig.startDetector("detector");
      FaultRig.await("Magnum told the cluster is HEALTHY", () -> "HEALTHY".equals(rig.healthStatus()), FaultRig.WAIT);

      List<String> partitioned = simulator.workerNodes().subList(0, PARTITIONED);
      long cut = System.nanoTime();
      partitioned.forEach(node -> simulator.breakNode(node, NodeFault.KUBELET_STOPPED));
      FaultRig.await("the storm-guard Event", () -> !rig.events("RepairStormGuard", null).isEmpty(), FaultRig.WAIT);
      long eventMs = ms(cut);
      FaultRig.await("Magnum told the cluster is UNHEALTHY with every partitioned node",
          () -> "UNHEALTHY".equals(rig.healthStatus()) && partitioned.stream().allMatch(reasonText(rig)::contains),
          FaultRig.WAIT);
      long reportedMs = ms(cut);
      Thread.sleep(MORE_PASSES.toMillis()); // passes go by; nothing more may happen

      assertEquals(1, rig.events("RepairStormGuard", null).size(), "one Event for the storm");
      for (String node : partitioned) {
        assertTrue(rig.repairRunId(node).isEmpty(), "a repair of " + node + " started");
        assertTrue(rig.events("RepairStarted", node).isEmpty(), "RepairStarted for " + node);
      }
      assertEquals(0, simulator.openstack().calls("nova.server.reboot"));
      assertEquals(0, simulator.openstack().calls("magnum.resize"));
      // Logged once, with the count when the storm began (the first nodes past the limit).
      assertEquals(1, FaultRig.log(detector).lines().filter(l -> l.contains("storm guard: ")).count(),
          "the detector logs the storm once");
      assertTrue(worker.isAlive() && detector.isAlive());
      rig.assertNoBreach();
      System.out.printf("[faults] partition: %d of %d nodes NotReady at once; storm-guard Event after %d ms,"
              + " Magnum UNHEALTHY with all of them after %d ms; %d Event(s), 0 repairs%n",
          PARTITIONED, NODES, eventMs, reportedMs, rig.events("RepairStormGuard", null).size());
    }
  }

  private static String reasonText(FaultRig rig) {
    String text = rig.simulator().cluster().healthStatusReasonText();
    return text == null ? "" : text;
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }
}
