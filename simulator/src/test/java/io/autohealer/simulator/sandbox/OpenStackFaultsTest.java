package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.openstack.FaultInjector;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Repairs on an OpenStack that answers a fifth of all calls with 503 and lets calls time out (one
 * that hangs before it is handled, one whose answer is lost after it was carried out): every repair
 * still completes, with one resize per replaced worker and one stack update per rebuilt master, and
 * no invariant is breached. Real worker and detector processes, as in the sandbox.
 */
class OpenStackFaultsTest {
  /** Longer than an activity attempt's 30 s, so that the worker sees each hung call time out. */
  private static final Duration HANG = Duration.ofSeconds(35);

  @Test
  void everyRepairCompletesThoughAFifthOfTheCallsFailAndSomeTimeOut() throws Exception {
    Instant start = Instant.now();
    Instant deadline = start.plus(Duration.ofMinutes(3));
    try (FaultSuiteCluster cluster = new FaultSuiteCluster("openstack-faults", new Simulator.Options("k8s", 3, 6, 40),
        Map.of("rebuild-delay-after-reboot", "8s"))) {
      Simulator simulator = cluster.simulator();
      FaultInjector faults = simulator.openstack().faults();
      faults.errorRate(FaultInjector.ANY, 0.2, 503);
      cluster.startWorker();
      cluster.startDetector();

      Map<String, NodeFault> plan = new LinkedHashMap<>();
      plan.put(simulator.workerNodes().get(0), NodeFault.KUBELET_STOPPED);
      plan.put(simulator.workerNodes().get(1), NodeFault.KUBELET_STOPPED);
      plan.put(simulator.workerNodes().get(2), NodeFault.BROKEN_UNTIL_REPLACED);
      plan.put(simulator.workerNodes().get(3), NodeFault.BROKEN_UNTIL_REPLACED);
      plan.put(simulator.masterNodes().get(0), NodeFault.BROKEN_UNTIL_REPLACED);
      plan.forEach(simulator::breakNode);
      System.out.printf("%s broke %s%n", elapsed(start), plan);

      Map<String, String> runIds = new LinkedHashMap<>();
      Map<String, RepairResult> results = new LinkedHashMap<>();
      boolean hungBefore = false;
      boolean hungAfter = false;
      Instant release = null;
      while (results.size() < plan.size() && Instant.now().isBefore(deadline)) {
        cluster.requireHealthy();
        for (String node : plan.keySet()) {
          if (results.containsKey(node)) {
            continue;
          }
          Optional<FaultSuiteCluster.Execution> run = cluster.execution(node);
          if (run.isPresent()) {
            runIds.putIfAbsent(node, run.get().runId());
            if (run.get().closed()) {
              RepairResult result = cluster.result(node, runIds.get(node));
              results.put(node, result);
              System.out.printf("%s %-14s %s: %s%n", elapsed(start), node, result.outcome(), result.message());
            }
          }
        }
        // Once repairs run: the next call hangs unhandled, and a little later one is carried out but its answer is lost.
        if (!hungBefore && runIds.size() >= 3) {
          faults.hangNext(FaultInjector.ANY, 1);
          hungBefore = true;
          release = Instant.now().plus(HANG);
          System.out.printf("%s the next OpenStack call hangs before it is handled%n", elapsed(start));
        } else if (hungBefore && !hungAfter && Instant.now().isAfter(release.minus(HANG).plus(Duration.ofSeconds(4)))) {
          faults.loseNextAnswers(FaultInjector.ANY, 1);
          hungAfter = true;
          System.out.printf("%s the next OpenStack call is carried out but its answer is lost%n", elapsed(start));
        }
        if (release != null && Instant.now().isAfter(release)) {
          faults.releaseHangs();
          release = null;
          System.out.printf("%s hung calls released%n", elapsed(start));
        }
        Thread.sleep(250);
      }
      faults.clear();
      cluster.requireHealthy();

      assertEquals(plan.keySet(), results.keySet(), "every broken node's repair ended");
      assertEquals(Map.of(
              simulator.workerNodes().get(0), RepairOutcome.REBOOTED, simulator.workerNodes().get(1), RepairOutcome.REBOOTED,
              plan.keySet().stream().toList().get(2), RepairOutcome.REPLACED, plan.keySet().stream().toList().get(3),
              RepairOutcome.REPLACED, simulator.masterNodes().get(0), RepairOutcome.REBUILT),
          results.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().outcome())),
          () -> "outcomes: " + results);
      List<String> rejected = cluster.invariants().trail().stream().filter(l -> l.contains("answered 503")).toList();
      assertTrue(rejected.size() >= 2, "the healer's changes met injected 503s too:\n" + String.join("\n",
          cluster.invariants().trail()));
      WorkerKilledDuringRepairsTest.assertOneRebuildPerNode(cluster.invariants(), results);
      assertEquals(Set.copyOf(plan.keySet()), Set.copyOf(cluster.invariants().repairsOpened()), "one repair per broken node");

      List<String> replaced = results.entrySet().stream()
          .filter(e -> e.getValue().outcome() == RepairOutcome.REPLACED).map(Map.Entry::getKey).toList();
      assertEquals(9, cluster.awaitReadyNodes(9, replaced, Duration.ofMinutes(1)), "Ready nodes at the end");
      cluster.requireHealthy();
      System.out.printf("%s done; %d of the healer's changes were answered 503%n", elapsed(start), rejected.size());
    }
  }

  private static String elapsed(Instant start) {
    return "%+7.1fs".formatted(Duration.between(start, Instant.now()).toMillis() / 1000.0);
  }
}
