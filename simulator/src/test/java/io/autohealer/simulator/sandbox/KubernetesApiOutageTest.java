package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.faults.TcpProxy;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The Kubernetes API becomes unreachable for the worker and detector processes (a proxy between
 * them and the simulated API closes every connection, watches included, and refuses new ones),
 * while the cluster goes on: a worker's kubelet stops during the outage. No repair starts on state
 * the detector cannot read, Magnum's health_status becomes UNKNOWN, and once the API is back the
 * same processes see the broken node, repair it, and report the cluster healthy again. The outage
 * lasts a minute: long enough for fabric8's watch reconnects to back off to their longest interval
 * (32 s), and for the broken node to pass its unhealthy-duration many times over while nobody can
 * see it.
 */
class KubernetesApiOutageTest {
  static final Duration OUTAGE = Duration.ofMinutes(1);

  @Test
  void noRepairStartsWhileTheApiIsDownHealthIsUnknownAndWorkResumesAfter(TestInfo test) throws Exception {
    try (FaultRig rig = FaultRig.start(test, FaultRig.simulatorOptions())) {
      Simulator simulator = rig.simulator();
      TcpProxy api = rig.proxyKubernetes();
      rig.writeConfig(Map.of("monitor-interval", "1s"));
      ChildJvm worker = rig.startWorker();
      ChildJvm detector = rig.startDetector("detector");
      long workerPid = worker.pid();
      long detectorPid = detector.pid();
      FaultRig.await("Magnum told the cluster is HEALTHY", () -> "HEALTHY".equals(rig.healthStatus()), FaultRig.WAIT);

      String node = simulator.workerNodes().get(0);
      long cut = System.nanoTime();
      api.cut();
      FaultRig.await("Magnum told the cluster's health is UNKNOWN", () -> "UNKNOWN".equals(rig.healthStatus()),
          FaultRig.WAIT);
      long unknownMs = ms(cut);
      simulator.breakNode(node, NodeFault.KUBELET_STOPPED);
      simulator.nodes().awaitReadyStatus(node, "Unknown", FaultRig.WAIT);
      long brokenAt = System.nanoTime();
      // A negative claim needs time to be wrong in: the rest of the outage, and at least the
      // unhealthy-duration and a few passes past it.
      long left = Math.max(TimeUnit.NANOSECONDS.toMillis(cut + OUTAGE.toNanos() - System.nanoTime()),
          FaultRig.UNHEALTHY.plusSeconds(4).toMillis());
      Thread.sleep(left);
      assertTrue(rig.repairRunId(node).isEmpty(), "a repair started while the API was down");
      assertEquals(0, simulator.openstack().calls("nova.server.reboot"));
      assertEquals("UNKNOWN", rig.healthStatus(), "health while the API is down");
      long downMs = ms(cut);

      api.restore();
      long restored = System.nanoTime();
      rig.awaitRepairStarted(node);
      long startMs = ms(restored);
      RepairResult result = rig.awaitResult(node);
      assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());
      FaultRig.await("Magnum told the cluster is HEALTHY again", () -> "HEALTHY".equals(rig.healthStatus()),
          FaultRig.WAIT);
      assertTrue(worker.isAlive() && detector.isAlive(), "both processes run on");
      assertEquals(workerPid, worker.pid());
      assertEquals(detectorPid, detector.pid());
      rig.assertNoBreach();
      System.out.printf("[faults] Kubernetes API cut for %d ms: health UNKNOWN %d ms after the cut; node %s broken"
              + " for %d ms of it, not repaired; its repair started %d ms after the API was back, %s%n",
          downMs, unknownMs, node, TimeUnit.NANOSECONDS.toMillis(restored - brokenAt), startMs, result.outcome());
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }
}
