package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The Temporal server (the embedded Java test server) goes away for {@link #OUTAGE} and comes back
 * on the same port, empty: the test server keeps nothing across a restart. The worker and detector
 * processes, which were at work on it before (the cluster's health reported through the worker),
 * live through it without a restart and resume: a node that broke during the outage and one that
 * breaks after it are both repaired by the same processes.
 */
class TemporalOutageTest {
  static final Duration OUTAGE = Duration.ofSeconds(10);

  @Test
  void workerAndDetectorSurviveTheOutageAndRepairNodesBrokenDuringAndAfterIt(TestInfo test) throws Exception {
    try (FaultRig rig = FaultRig.start(test, FaultRig.simulatorOptions())) {
      Simulator simulator = rig.simulator();
      rig.writeConfig(Map.of("monitor-interval", "1s"));
      ChildJvm worker = rig.startWorker();
      ChildJvm detector = rig.startDetector("detector");
      long workerPid = worker.pid();
      long detectorPid = detector.pid();
      List<String> workers = simulator.workerNodes();
      String during = workers.get(0);
      String after = workers.get(1);
      // Both processes at work on Temporal before the outage: the detector's report, through the
      // worker's ClusterHealthWorkflow and its activity, reached Magnum.
      FaultRig.await("Magnum told the cluster is HEALTHY", () -> "HEALTHY".equals(rig.healthStatus()), FaultRig.WAIT);

      long down = System.nanoTime();
      rig.stopTemporal();
      simulator.breakNode(during, NodeFault.KUBELET_STOPPED);
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(down + OUTAGE.toNanos() - System.nanoTime())));
      assertTrue(worker.isAlive(), "the worker died while Temporal was away; see " + worker.log());
      assertTrue(detector.isAlive(), "the detector died while Temporal was away; see " + detector.log());
      rig.startTemporalAgain();
      long up = System.nanoTime();
      long downMs = TimeUnit.NANOSECONDS.toMillis(up - down);
      simulator.breakNode(after, NodeFault.KUBELET_STOPPED);

      rig.awaitRepairStarted(during);
      long duringStartMs = ms(up);
      rig.awaitRepairStarted(after);
      RepairResult second = rig.awaitResult(during);
      RepairResult third = rig.awaitResult(after);
      long doneMs = ms(up);

      assertEquals(RepairOutcome.REBOOTED, second.outcome(), second.message());
      assertEquals(RepairOutcome.REBOOTED, third.outcome(), third.message());
      assertTrue(worker.isAlive() && detector.isAlive(), "both processes run on");
      assertEquals(workerPid, worker.pid(), "the same worker process");
      assertEquals(detectorPid, detector.pid(), "the same detector process");
      assertEquals(2, simulator.openstack().calls("nova.server.reboot"), "one reboot per broken node");
      rig.assertNoBreach();
      System.out.printf("[faults] Temporal test server down for %d ms; after it was back, the repair of the node"
              + " broken during the outage started in %d ms, both repairs done in %d ms; same worker and detector"
              + " processes%n", downMs, duringStartMs, doneMs);
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }
}
