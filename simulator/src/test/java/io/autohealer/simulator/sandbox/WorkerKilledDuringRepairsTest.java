package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.invariants.CloudAction;
import io.autohealer.simulator.invariants.InvariantChecker;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Twenty repairs while the worker process is SIGKILLed at random moments and started again: the
 * detector and the worker in JVMs of their own, the embedded Temporal server, the simulated cluster
 * and the invariant checker. The nodes break in waves of five, so that the storm guard
 * (max-unhealthy 40%) lets them through, while max-concurrent-repairs 4 holds some back.
 *
 * <p>The kill times come from a seeded random; the seed is printed, and {@code
 * -Dautohealer.faults.seed=N} runs the same plan again.
 */
class WorkerKilledDuringRepairsTest {
  private static final Set<RepairOutcome> REPAIRED =
      EnumSet.of(RepairOutcome.REBOOTED, RepairOutcome.REPLACED, RepairOutcome.REBUILT);
  private static final int WORKERS = 20;
  private static final int MASTERS = 3;
  private static final int WAVE = 5;
  /** The next wave breaks once at most this many broken nodes are unrepaired: at most 8 fail at once. */
  private static final int UNREPAIRED_BEFORE_NEXT_WAVE = 3;
  private static final int MAX_KILLS = 6;

  @Test
  void twentyRepairsCompleteOnceEachThoughTheWorkerIsKilledAtRandomPoints() throws Exception {
    long seed = Long.getLong("autohealer.faults.seed", System.nanoTime());
    System.out.printf("WorkerKilledDuringRepairsTest: seed %d (-Dautohealer.faults.seed=%d repeats it)%n", seed, seed);
    Random random = new Random(seed);
    Instant start = Instant.now();
    Instant deadline = start.plus(Duration.ofMinutes(4));
    try (FaultSuiteCluster cluster = new FaultSuiteCluster("worker-killed", new Simulator.Options("k8s", MASTERS, WORKERS, 40),
        Map.of("max-unhealthy", "40%", "max-concurrent-repairs", "4", "rebuild-delay-after-reboot", "8s"))) {
      Simulator simulator = cluster.simulator();
      Map<String, NodeFault> plan = plan(simulator, random);
      List<String> order = new ArrayList<>(plan.keySet());
      cluster.startWorker();
      cluster.startDetector();

      List<String> broken = new ArrayList<>();
      Map<String, String> runIds = new LinkedHashMap<>();
      Map<String, RepairResult> results = new LinkedHashMap<>();
      List<String> kills = new ArrayList<>();
      Instant nextKill = Instant.now().plus(randomPause(random));
      while (results.size() < order.size() && Instant.now().isBefore(deadline)) {
        cluster.requireHealthy();
        if (broken.size() < order.size() && broken.size() - results.size() <= UNREPAIRED_BEFORE_NEXT_WAVE) {
          for (String node : order.subList(broken.size(), Math.min(order.size(), broken.size() + WAVE))) {
            simulator.breakNode(node, plan.get(node));
            broken.add(node);
          }
          System.out.printf("%s broke %s%n", elapsed(start), broken.subList(broken.size() - Math.min(WAVE, broken.size()),
              broken.size()));
        }
        for (String node : broken) {
          if (results.containsKey(node)) {
            continue;
          }
          Optional<FaultSuiteCluster.Execution> run = cluster.execution(node);
          if (run.isPresent()) {
            runIds.putIfAbsent(node, run.get().runId());
            if (run.get().closed()) {
              RepairResult result = cluster.result(node, runIds.get(node));
              results.put(node, result);
              System.out.printf("%s %-14s %s%n", elapsed(start), node, result.outcome());
            }
          }
        }
        if (kills.size() < MAX_KILLS && Instant.now().isAfter(nextKill) && runIds.size() > results.size()) {
          cluster.killWorker();
          kills.add(elapsed(start));
          System.out.printf("%s worker killed (SIGKILL) with %d repairs running; starting another%n", elapsed(start),
              runIds.size() - results.size());
          cluster.startWorker();
          nextKill = Instant.now().plus(randomPause(random));
        }
        Thread.sleep(250);
      }
      cluster.requireHealthy();
      System.out.printf("%s %d repairs ended; worker killed %d times at %s%n", elapsed(start), results.size(),
          kills.size(), kills);

      assertEquals(Set.copyOf(order), results.keySet(), "every broken node's repair ended (seed " + seed + ")");
      results.forEach((node, result) -> assertTrue(REPAIRED.contains(result.outcome()),
          node + " ended " + result.outcome() + ": " + result.message() + " (seed " + seed + ")"));
      assertTrue(kills.size() >= 3, "the worker was killed during the repairs, not after: " + kills);
      for (String node : order) {
        assertEquals(Optional.of(runIds.get(node)), cluster.execution(node).map(FaultSuiteCluster.Execution::runId),
            "one workflow run for " + node + ", none after it");
      }
      InvariantChecker invariants = cluster.invariants();
      assertEquals(order.stream().sorted().toList(), invariants.repairsOpened().stream().sorted().toList(),
          "one repair started per broken node, none of another node");
      assertOneRebuildPerNode(invariants, results);

      List<String> replaced = results.entrySet().stream()
          .filter(e -> e.getValue().outcome() == RepairOutcome.REPLACED).map(Map.Entry::getKey).toList();
      int ready = cluster.awaitReadyNodes(MASTERS + WORKERS, replaced, Duration.ofMinutes(1));
      assertEquals(MASTERS + WORKERS, ready, "Ready nodes at the end");
      cluster.requireHealthy();
      System.out.printf("%s done: %s%n", elapsed(start), results.values().stream()
          .collect(Collectors.groupingBy(RepairResult::outcome, Collectors.counting())));
    }
  }

  /** Exactly one accepted resize per replaced worker, one stack update per rebuilt master, none for the rest. */
  static void assertOneRebuildPerNode(InvariantChecker invariants, Map<String, RepairResult> results) {
    Map<String, Long> resizes = invariants.actions().stream().filter(a -> a.action() == CloudAction.RESIZE_REMOVE)
        .collect(Collectors.groupingBy(InvariantChecker.RecordedAction::node, Collectors.counting()));
    Set<String> replaced = results.entrySet().stream()
        .filter(e -> e.getValue().outcome() == RepairOutcome.REPLACED).map(Map.Entry::getKey).collect(Collectors.toSet());
    assertEquals(replaced, resizes.keySet(), "resizes only for the replaced workers");
    resizes.forEach((node, n) -> assertEquals(1L, n, "accepted resizes removing " + node));
    long rebuilt = results.values().stream().filter(r -> r.outcome() == RepairOutcome.REBUILT).count();
    long stackUpdates = invariants.actions().stream().filter(a -> a.action() == CloudAction.STACK_UPDATE).count();
    assertEquals(rebuilt, stackUpdates, "one accepted stack update per rebuilt master");
  }

  /**
   * Which nodes break and how: 19 workers and one master, in a random order; about a third of the
   * workers and the master so that only a new server heals them.
   */
  private static Map<String, NodeFault> plan(Simulator simulator, Random random) {
    List<String> nodes = new ArrayList<>(simulator.workerNodes().subList(0, WORKERS - 1));
    nodes.add(simulator.masterNodes().get(0));
    Collections.shuffle(nodes, random);
    Map<String, NodeFault> plan = new LinkedHashMap<>();
    for (String node : nodes) {
      boolean master = simulator.masterNodes().contains(node);
      plan.put(node, master || random.nextInt(3) == 0 ? NodeFault.BROKEN_UNTIL_REPLACED : NodeFault.KUBELET_STOPPED);
    }
    return plan;
  }

  private static Duration randomPause(Random random) {
    return Duration.ofMillis(3000 + random.nextInt(7000));
  }

  private static String elapsed(Instant start) {
    return "%+7.1fs".formatted(Duration.between(start, Instant.now()).toMillis() / 1000.0);
  }
}
