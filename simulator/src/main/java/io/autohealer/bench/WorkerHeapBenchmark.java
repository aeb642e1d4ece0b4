package io.autohealer.bench;

import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.Simulator;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairRequest;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Heap of one worker process with many repairs in flight: {@code count} NotReady nodes (Node
 * objects whose kubelet never answers) get a repair each, with {@code require-approval}; every
 * repair verifies the node, looks at the gate and then waits for an operator. Heap is read with
 * {@code jcmd GC.heap_info} after two full GCs, before the repairs and once all of them wait.
 */
final class WorkerHeapBenchmark {
  /** @param heapMiB worker heap with the repairs in flight; {@code baselineMiB} with none */
  record Result(int inFlight, long baselineMiB, long heapMiB, String detail) {}

  private final Path workDir;
  private final List<String> jvmOptions;

  WorkerHeapBenchmark(Path workDir, List<String> jvmOptions) {
    this.workDir = workDir;
    this.jvmOptions = jvmOptions;
  }

  Result measure(int count) throws Exception {
    System.out.println();
    System.out.printf(Locale.ROOT, "== worker heap, %,d repairs in flight (worker JVM %s)%n", count, jvmOptions);
    try (BenchCluster bench = new BenchCluster(new Simulator.Options("inflight", 3, 1, 20), workDir,
        "  require-approval: true\n  poll-interval: 10s", jvmOptions)) {
      KubernetesClient k8s = bench.simulator.kubernetes().client();
      Node template = k8s.nodes().withName(bench.simulator.workerNodes().get(0)).get();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = "inflight-node-%04d".formatted(i);
        names.add(name);
        NodeCondition notReady = new NodeConditionBuilder().withType("Ready").withStatus("Unknown")
            .withReason("NodeStatusUnknown").withLastTransitionTime(Instant.now().toString()).build();
        Node node = new NodeBuilder(template).withNewMetadata().withName(name)
            .withLabels(template.getMetadata().getLabels()).endMetadata()
            .editSpec().withProviderID("openstack:///" + java.util.UUID.randomUUID()).endSpec()
            .editStatus().withConditions(notReady).endStatus().build();
        k8s.nodes().resource(node).create();
        k8s.nodes().withName(name).editStatus(n -> new NodeBuilder(n).editStatus().withConditions(notReady)
            .endStatus().build());
      }
      awaitWorkerPolling(bench);
      long baseline = bench.workerHeapMiB();
      System.out.printf(Locale.ROOT, "worker with no repair: heap used after GC %,d MiB%n", baseline);

      RepairStarter starter = new RepairStarter(bench.client);
      long started = System.nanoTime();
      for (String name : names) {
        RepairRequest request = bench.request(k8s.nodes().withName(name).get(), "benchmark: in flight");
        starter.start(request);
      }
      int waiting = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      for (String name : names) {
        RepairNodeWorkflow repair = bench.client.newWorkflowStub(RepairNodeWorkflow.class,
            RepairIds.workflowId(bench.cluster(), name));
        while (repair.status().phase() != RepairPhase.AWAITING_APPROVAL) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("only " + waiting + " of " + count + " repairs reached approval");
          }
          Thread.sleep(200);
        }
        waiting++;
      }
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      String detail = bench.workerMemory();
      long heap = bench.workerHeapMiB();
      System.out.printf(Locale.ROOT, "%,d repairs started and waiting for approval after %,d ms; worker: %s%n",
          waiting, tookMillis, detail);
      return new Result(count, baseline, heap, detail);
    }
  }

  /** Waits until the worker process says it polls its task queue. */
  static void awaitWorkerPolling(BenchCluster bench) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      if (!bench.worker.isAlive()) {
        throw new IllegalStateException("the worker exited; see " + bench.worker.log());
      }
      if (java.nio.file.Files.exists(bench.worker.log())
          && java.nio.file.Files.readString(bench.worker.log()).contains("polling task queue")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the worker never polled its task queue; see " + bench.worker.log());
  }
}
