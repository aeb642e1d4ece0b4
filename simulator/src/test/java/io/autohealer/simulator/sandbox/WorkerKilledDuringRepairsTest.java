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
import java.util.HashSet;
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
 * and the invariant checker. Ten workers break, then nine once those are repaired, then a master:
 * ten of twenty workers is what max-unhealthy 50% lets through, and max-concurrent-repairs 10 is
 * reached. A wave waits for the one before because a worker replacement waits until its whole
 * nodegroup is Ready again: broken nodes that cannot start for want of a free slot would hold it
 * until its rejoin timeout.
 *
 * <p>The worker is killed after a random number of repairs ended and a random pause, up to {@value
 * #MAX_KILLS} times, only while a repair runs. The seed is printed; {@code
 * -Dautohealer.faults.seed=N} runs the same plan again.
 */
class WorkerKilledDuringRepairsTest {
  private static final Set<RepairOutcome> REPAIRED =
      EnumSet.of(RepairOutcome.REBOOTED, RepairOutcome.REPLACED, RepairOutcome.REBUILT);
  private static final int WORKERS = 20;
  private static final int MASTERS = 3;
  private static final int WAVE = 10;
  private static final int REPAIRS = 20;
  private static final int MAX_KILLS = 5;

  @Test
  void twentyRepairsCompleteOnceEachThoughTheWorkerIsKilledAtRandomPoints() throws Exception {
    long seed = Long.getLong("autohealer.faults.seed", System.nanoTime());
    System.out.printf("WorkerKilledDuringRepairsTest: seed %d (-Dautohealer.faults.seed=%d repeats it)%n", seed, seed);
    Random random = new Random(seed);
    Instant start = Instant.now();
    Instant deadline = start.plus(Duration.ofMinutes(5));
    try (FaultSuiteCluster cluster = new FaultSuiteCluster("worker-killed", new Simulator.Options("k8s", MASTERS, WORKERS, 60),
        Map.of("max-unhealthy", "50%", "max-concurrent-repairs", "10", "rebuild-delay-after-reboot", "6s"))) {
      Simulator simulator = cluster.simulator();
      List<Map<String, NodeFault>> waves = plan(simulator, random);
      Map<String, NodeFault> plan = new LinkedHashMap<>();
      waves.forEach(plan::putAll);
      List<String> order = new ArrayList<>(plan.keySet());
      List<Integer> killAfter = killPoints(random);
      System.out.printf("waves %s; the worker is killed once %s repairs ended%n", waves, killAfter);
      cluster.startWorker();
      cluster.startDetector();

      List<String> broken = new ArrayList<>();
      Map<String, String> runIds = new LinkedHashMap<>();
      Map<String, RepairResult> results = new LinkedHashMap<>();
      List<String> kills = new ArrayList<>();
      Instant nextKill = null;
      while (results.size() < order.size() && Instant.now().isBefore(deadline)) {
        cluster.requireHealthy();
        if (broken.size() < order.size() && broken.size() == results.size()) {
          List<String> wave = List.copyOf(waves.stream().filter(w -> !broken.containsAll(w.keySet())).findFirst()
              .orElseThrow().keySet());
          wave.forEach(node -> simulator.breakNode(node, plan.get(node)));
          broken.addAll(wave);
          System.out.printf("%s broke %s%n", elapsed(start), wave);
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
        if (nextKill == null && kills.size() < killAfter.size() && results.size() >= killAfter.get(kills.size())) {
          nextKill = Instant.now().plus(Duration.ofMillis(500 + random.nextInt(4000)));
        }
        if (nextKill != null && Instant.now().isAfter(nextKill) && runIds.size() > results.size()) {
          cluster.killWorker();
          kills.add(elapsed(start).trim());
          System.out.printf("%s worker killed (SIGKILL) with %d repairs running; starting another%n", elapsed(start),
              runIds.size() - results.size());
          cluster.startWorker();
          nextKill = null;
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
   * Which nodes break and how, wave by wave: 19 workers in a random order, ten and nine, each wave
   * with one worker only a new server heals (the rest a reboot heals), then the master, rebuilt. The
   * master has a wave of its own: rebuilt while a worker is replaced, it fails (the worker's resize
   * keeps the stack UPDATE_IN_PROGRESS, and the master's repair takes that update for its own).
   */
  private static List<Map<String, NodeFault>> plan(Simulator simulator, Random random) {
    List<String> workers = new ArrayList<>(simulator.workerNodes().subList(0, REPAIRS - 1));
    Collections.shuffle(workers, random);
    List<Map<String, NodeFault>> waves = new ArrayList<>();
    for (List<String> wave : List.of(workers.subList(0, WAVE), workers.subList(WAVE, workers.size()))) {
      String replaced = wave.get(random.nextInt(wave.size()));
      Map<String, NodeFault> faults = new LinkedHashMap<>();
      wave.forEach(node -> faults.put(node, node.equals(replaced) ? NodeFault.BROKEN_UNTIL_REPLACED : NodeFault.KUBELET_STOPPED));
      waves.add(faults);
    }
    waves.add(Map.of(simulator.masterNodes().get(0), NodeFault.BROKEN_UNTIL_REPLACED));
    return waves;
  }

  /** After how many ended repairs each kill comes: {@value #MAX_KILLS} distinct counts, the master's repair included. */
  private static List<Integer> killPoints(Random random) {
    List<Integer> counts = new ArrayList<>();
    for (int i = 0; i < REPAIRS; i++) {
      counts.add(i);
    }
    Collections.shuffle(counts, random);
    return counts.subList(0, MAX_KILLS).stream().sorted().toList();
  }

  private static String elapsed(Instant start) {
    return "%+7.1fs".formatted(Duration.between(start, Instant.now()).toMillis() / 1000.0);
  }
}
