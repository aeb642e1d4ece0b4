package io.autohealer.bench;

import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.WorldListener;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Orchestration overhead of a repair: kubelets stop on {@code count} workers, their repairs run
 * (reboot path) at once in one worker process, with the product's default repair settings. For each,
 * the repair's time (workflow start to close, on the server) minus the simulated cloud's time:
 * from the server leaving ACTIVE (Nova took the reboot) to its Node being Ready again (the reboot
 * and the kubelet's return, as the simulator scheduled them). The rest is the healer's: verify, the
 * gate, cordon, drain, the lag of its polling, uncordon, and Temporal's task dispatch.
 */
final class RepairOverheadBenchmark {
  /**
   * @param withoutDrainPercentMedian the overhead less the drain step, in percent of the repair: the drain
   *     of a node whose kubelet is dead waits a fixed 30 s before it deletes the evicted pods
   */
  record Result(int repairs, double speed, Duration pollInterval, Duration repairMedian, Duration cloudMedian,
      Duration overheadMedian, double overheadPercentMedian, double overheadPercentMax,
      Duration drainMedian, double withoutDrainPercentMedian) {}

  private final Path workDir;
  private final List<String> jvmOptions;

  RepairOverheadBenchmark(Path workDir, List<String> jvmOptions) {
    this.workDir = workDir;
    this.jvmOptions = jvmOptions;
  }

  Result measure(int count, double speed, Duration pollInterval, boolean drain) throws Exception {
    System.out.println();
    System.out.printf(Locale.ROOT, "== orchestration overhead, %d reboot repairs at once, simulator speed x%s,"
        + " poll-interval %s, drain %s%n", count, speed, pollInterval, drain);
    try (BenchCluster bench = new BenchCluster(new Simulator.Options("overhead", 3, 2 * count, speed), workDir,
        "  poll-interval: %ds\n  drain: %s".formatted(pollInterval.toSeconds(), drain), jvmOptions)) {
      Map<String, Instant> leftActive = new ConcurrentHashMap<>();
      Map<String, Instant> readyAgain = new ConcurrentHashMap<>();
      // Half the workers break, so that the evicted pods have somewhere to go (their PDB allows the evictions).
      List<String> nodes = bench.simulator.workerNodes().subList(0, count);
      bench.simulator.world().addListener(new WorldListener() {
        @Override
        public void serverChanged(SimServer server) {
          if (server.status() != ServerStatus.ACTIVE && nodes.contains(server.name())) {
            leftActive.putIfAbsent(server.name(), Instant.now());
          }
        }

        @Override
        public void serverDeleted(SimServer server) {}
      });
      WorkerHeapBenchmark.awaitWorkerPolling(bench);
      for (String name : nodes) {
        bench.simulator.breakNode(name, NodeFault.KUBELET_STOPPED);
      }
      for (String name : nodes) {
        bench.simulator.nodes().awaitReadyStatus(name, "Unknown", Duration.ofMinutes(5));
      }
      RepairStarter starter = new RepairStarter(bench.client);
      for (String name : nodes) {
        Node node = bench.simulator.kubernetes().client().nodes().withName(name).get();
        starter.start(bench.request(node, "benchmark: kubelet stopped"));
      }
      // Ready again, seen by a watcher polling the API every 20 ms.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      while (readyAgain.size() < nodes.size() && System.nanoTime() < deadline) {
        for (Node node : bench.simulator.nodes().nodes()) {
          String name = node.getMetadata().getName();
          if (leftActive.containsKey(name) && NodeConditions.isReady(node)) {
            readyAgain.putIfAbsent(name, Instant.now());
          }
        }
        Thread.sleep(20);
      }
      List<Duration> repair = new ArrayList<>();
      List<Duration> cloud = new ArrayList<>();
      List<Duration> overhead = new ArrayList<>();
      List<Double> percent = new ArrayList<>();
      List<Duration> drains = new ArrayList<>();
      List<Double> withoutDrain = new ArrayList<>();
      Map<String, List<Duration>> steps = new java.util.TreeMap<>();
      for (String name : nodes) {
        String id = RepairIds.workflowId(bench.cluster(), name);
        RepairResult result = WorkflowStub.fromTyped(bench.client.newWorkflowStub(RepairNodeWorkflow.class, id))
            .getResult(RepairResult.class);
        if (result.outcome() != RepairOutcome.REBOOTED) {
          throw new IllegalStateException(name + " ended " + result.outcome() + ": " + result.message());
        }
        Duration drainTime = Duration.ZERO;
        for (var step : bench.client.newWorkflowStub(RepairNodeWorkflow.class, id).status().steps()) {
          if (step.ended() != null && step.phase() == io.autohealer.workflows.RepairPhase.DRAINING) {
            drainTime = drainTime.plus(Duration.between(step.started(), step.ended()));
          }
          if (step.ended() != null) {
            steps.computeIfAbsent(step.phase().name(), k -> new ArrayList<>())
                .add(Duration.between(step.started(), step.ended()));
          }
        }
        WorkflowExecutionInfo info = bench.describe(id);
        Duration took = Duration.between(BenchCluster.instant(info.getStartTime()),
            BenchCluster.instant(info.getCloseTime()));
        Duration cloudTime = Duration.between(leftActive.get(name), readyAgain.get(name));
        repair.add(took);
        cloud.add(cloudTime);
        overhead.add(took.minus(cloudTime));
        percent.add(100.0 * took.minus(cloudTime).toNanos() / took.toNanos());
        drains.add(drainTime);
        withoutDrain.add(100.0 * took.minus(cloudTime).minus(drainTime).toNanos() / took.toNanos());
      }
      Result r = new Result(count, speed, pollInterval, median(repair), median(cloud), median(overhead),
          percent.stream().sorted().toList().get(percent.size() / 2),
          percent.stream().mapToDouble(Double::doubleValue).max().orElse(0),
          median(drains), withoutDrain.stream().sorted().toList().get(withoutDrain.size() / 2));
      System.out.printf(Locale.ROOT, "repairs (all REBOOTED): median %,d ms; simulated cloud time (reboot + kubelet back)"
              + " median %,d ms; overhead median %,d ms = %.1f%% of the repair (max %.1f%%)%n",
          r.repairMedian().toMillis(), r.cloudMedian().toMillis(), r.overheadMedian().toMillis(),
          r.overheadPercentMedian(), r.overheadPercentMax());
      System.out.printf(Locale.ROOT, "  of which the drain step, median %,d ms (evicted pods of a dead kubelet are deleted"
          + " after a fixed 30 s); overhead without the drain step: median %.1f%% of the repair%n",
          r.drainMedian().toMillis(), r.withoutDrainPercentMedian());
      StringBuilder each = new StringBuilder("  median time per step:");
      steps.forEach((phase, d) -> each.append(String.format(Locale.ROOT, " %s %,d ms;", phase, median(d).toMillis())));
      System.out.println(each);
      return r;
    }
  }

  private static Duration median(List<Duration> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }
}
