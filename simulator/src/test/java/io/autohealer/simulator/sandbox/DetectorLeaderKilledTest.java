package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.CloudAction;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Two detector processes campaign for the Lease kube-system/magnum-auto-healer in the simulated
 * Kubernetes API, beside one worker process. The leader starts the repairs of two broken workers
 * and is killed (SIGKILL: no lease released) while they run; the standby takes over once the lease
 * runs out, starts neither repair again, and repairs a node that breaks after the take-over. Each
 * node gets one workflow run and one RepairStarted Event from a detector, and each replaced node
 * one Magnum resize.
 */
class DetectorLeaderKilledTest {
  private static final Duration LEASE = Duration.ofSeconds(6);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Pattern IDENTITY = Pattern.compile("campaigning for Lease \\S+ as (\\S+) \\(");
  private static final String LEADING = "leading: starting the detector";

  @Test
  void theStandbyTakesOverWithinTheLeaseDurationAndNoRepairRunsTwice(TestInfo test) throws Exception {
    try (FaultRig rig = FaultRig.start(test, FaultRig.simulatorOptions())) {
      Simulator simulator = rig.simulator();
      rig.writeConfig(Map.of(
          "leader-elect", true,
          "leader-election", Map.of("lease-duration", LEASE.toSeconds() + "s", "renew-deadline", "4s",
              "retry-period", RETRY.toSeconds() + "s"),
          "rebuild-delay-after-reboot", "6s"));
      ChildJvm worker = rig.startWorker();
      // As in a rolling start: the standby joins once the leader renews its lease. (Two cold JVMs
      // started together on a loaded machine can see the first acquisition take longer than the
      // lease: the second then takes the lease over at once, and the first exits.)
      ChildJvm leader = rig.startDetector("detector-a");
      FaultRig.await("detector-a leads", () -> FaultRig.log(leader).contains(LEADING), FaultRig.WAIT);
      String leaderIdentity = identity(leader).orElseThrow();
      ChildJvm standby = rig.startDetector("detector-b");
      FaultRig.await("detector-b campaigns", () -> identity(standby).isPresent(), FaultRig.WAIT);
      String standbyIdentity = identity(standby).orElseThrow();
      assertEquals(leaderIdentity, holder(rig), "the lease holder");

      List<String> workers = simulator.workerNodes();
      String first = workers.get(0);
      String second = workers.get(1);
      String third = workers.get(2);
      simulator.breakNode(first, NodeFault.BROKEN_UNTIL_REPLACED);
      simulator.breakNode(second, NodeFault.BROKEN_UNTIL_REPLACED);
      String firstRun = rig.awaitRepairStarted(first);
      String secondRun = rig.awaitRepairStarted(second);
      assertFalse(FaultRig.log(standby).contains(LEADING), "the standby leads too");
      assertTrue(leader.isAlive(), "the leader lost its lease before it was killed; see " + leader.log());

      long killed = System.nanoTime();
      leader.kill();
      FaultRig.await("the standby holds the lease", () -> standbyIdentity.equals(holder(rig)), FaultRig.WAIT);
      long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      FaultRig.await("the standby's detector running", () -> FaultRig.log(standby).contains(LEADING), FaultRig.WAIT);
      System.out.printf("[faults] detector leader SIGKILLed; the standby held the lease %d ms later"
          + " (lease-duration %d ms, retry-period %d ms)%n", takeoverMs, LEASE.toMillis(), RETRY.toMillis());
      // The killed leader renewed at most a retry period before it died: the lease ran out no
      // earlier than that, and the standby retries every retry period (slack for a loaded machine).
      assertTrue(takeoverMs >= LEASE.minus(RETRY).toMillis() - 1_000,
          "took over a live lease after " + takeoverMs + " ms");
      assertTrue(takeoverMs <= LEASE.toMillis() + 5_000, "took over after " + takeoverMs + " ms");

      simulator.breakNode(third, NodeFault.KUBELET_STOPPED);
      rig.awaitRepairStarted(third);

      RepairResult firstResult = rig.awaitResult(first);
      RepairResult secondResult = rig.awaitResult(second);
      RepairResult thirdResult = rig.awaitResult(third);
      assertEquals(RepairOutcome.REPLACED, firstResult.outcome(), firstResult.message());
      assertEquals(RepairOutcome.REPLACED, secondResult.outcome(), secondResult.message());
      assertEquals(RepairOutcome.REBOOTED, thirdResult.outcome(), thirdResult.message());

      assertEquals(firstRun, rig.repairRunId(first).orElseThrow(), "one workflow run for " + first);
      assertEquals(secondRun, rig.repairRunId(second).orElseThrow(), "one workflow run for " + second);
      assertEquals(2, simulator.openstack().calls("magnum.resize"), "one resize per replaced node");
      for (String node : List.of(first, second, third)) {
        // One from the detector that started it, one from the one workflow run that repaired it.
        List<String> started = rig.events("RepairStarted", node).stream().map(e -> e.getMessage()).toList();
        assertEquals(1, started.stream().filter(m -> m.startsWith("Repair started for")).count(), started.toString());
        assertEquals(1, started.stream().filter(m -> m.startsWith("Repair of " + node)).count(), started.toString());
      }
      assertTrue(worker.isAlive(), "the worker runs on");
      assertTrue(standby.isAlive(), "the new leader runs on");
      assertEquals(2, rig.checkedActions().stream().filter(a -> a.action() == CloudAction.RESIZE_REMOVE).count(),
          "the invariant checker saw both resizes");
      rig.assertNoBreach();
    }
  }

  private static java.util.Optional<String> identity(ChildJvm detector) {
    Matcher m = IDENTITY.matcher(FaultRig.log(detector));
    return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  private static String holder(FaultRig rig) {
    Lease lease = rig.simulator().kubernetes().client().leases().inNamespace("kube-system")
        .withName("magnum-auto-healer").get();
    return lease == null || lease.getSpec() == null ? "" : String.valueOf(lease.getSpec().getHolderIdentity());
  }
}
