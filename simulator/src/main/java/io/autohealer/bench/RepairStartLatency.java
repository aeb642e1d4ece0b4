package io.autohealer.bench;

import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.workflows.RepairIds;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Time from a node's unhealthy-duration elapsing to its repair workflow starting: a detector with
 * a real {@link RepairStarter} on a Temporal server; nodes' kubelets stop (the simulated node
 * controller turns them Unknown); for each, the workflow's start time on the server minus (the Ready
 * condition's lastTransitionTime + unhealthy-duration). No worker runs: only the start is measured.
 */
final class RepairStartLatency {
  private final String temporalTarget;
  private final String cluster;
  private final Duration unhealthyDuration;

  RepairStartLatency(String temporalTarget, String cluster, Duration unhealthyDuration) {
    this.temporalTarget = temporalTarget;
    this.cluster = cluster;
    this.unhealthyDuration = unhealthyDuration;
  }

  List<Duration> measure(KubernetesSimulator kubernetes, SimulatedKubelets kubelets, CloudWorld world, int count,
      DetectorBenchmark.ApiCounter counter) throws Exception {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporalTarget).build());
    try (KubernetesClient client = DetectorBenchmark.client(kubernetes)) {
      WorkflowClient temporal = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace("default").build());
      // When the detector first judged each node not healthy: how late the Node's change reached it.
      Map<String, Instant> firstSeen = new java.util.concurrent.ConcurrentHashMap<>();
      DetectorBenchmark.Built built = DetectorBenchmark.detector(client, Clock.systemUTC(), config(),
          new RepairStarter(temporal), (node, verdict, decision) -> {
            if (!(verdict instanceof io.autohealer.detector.Verdict.Healthy)) {
              firstSeen.putIfAbsent(node, Instant.now());
            }
          });
      built.detector().start();
      DetectorBenchmark.awaitQuiet(built);
      counter.take();

      // Workers from the end of the list: never a master, spread over the cluster.
      List<String> names = world.servers().stream().map(SimServer::name)
          .filter(n -> !n.contains("master")).sorted().toList();
      List<String> broken = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        broken.add(names.get((int) ((long) i * names.size() / count)));
      }
      broken.forEach(name -> kubelets.breakNode(name, NodeFault.KUBELET_STOPPED));

      Map<String, Duration> latencies = new HashMap<>();
      Map<String, Instant> unknownSince = new HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3) + unhealthyDuration.toNanos();
      while (latencies.size() < broken.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("repairs not started within 3 minutes of their due time: "
              + latencies.size() + " of " + broken.size());
        }
        for (String name : broken) {
          if (!latencies.containsKey(name)) {
            started(kubernetes.client(), stubs, name, unknownSince).ifPresent(d -> latencies.put(name, d));
          }
        }
        Thread.sleep(50);
      }
      Map<String, Long> calls = counter.take();
      built.detector().close();
      built.reporter().close();
      List<Duration> sorted = latencies.values().stream().sorted().toList();
      List<Duration> lag = broken.stream().filter(n -> firstSeen.containsKey(n) && unknownSince.containsKey(n))
          .map(n -> Duration.between(unknownSince.get(n), firstSeen.get(n))).sorted().toList();
      if (!lag.isEmpty()) {
        System.out.printf(Locale.ROOT, "  the Node turning Unknown reached the detector after: p50 %,d ms, max %,d ms"
                + " (the simulated node controller's write, the mock API server's watch, the informer)%n", percentile(lag, 50).toMillis(),
            lag.get(lag.size() - 1).toMillis());
      }
      System.out.printf(Locale.ROOT, "repair start after the unhealthy-duration (%s) elapsed, %d nodes broken at once:"
              + " p50 %,d ms, p99 %,d ms, max %,d ms, min %,d ms; detector API calls meanwhile %s%n",
          unhealthyDuration, sorted.size(), percentile(sorted, 50).toMillis(), percentile(sorted, 99).toMillis(),
          sorted.get(sorted.size() - 1).toMillis(), sorted.get(0).toMillis(), calls);
      return sorted;
    } finally {
      stubs.shutdownNow();
    }
  }

  /** The node's workflow's start minus the moment its unhealthy-duration elapsed, once it started. */
  private java.util.Optional<Duration> started(KubernetesClient client, WorkflowServiceStubs stubs, String name,
      Map<String, Instant> unknownSince) {
    Node node = client.nodes().withName(name).get();
    NodeCondition ready = node == null ? null : NodeConditions.condition(node.getStatus(), "Ready").orElse(null);
    if (ready == null || "True".equals(ready.getStatus())) {
      return java.util.Optional.empty();
    }
    unknownSince.put(name, Instant.parse(ready.getLastTransitionTime()));
    Instant due = Instant.parse(ready.getLastTransitionTime()).plus(unhealthyDuration);
    try {
      var info = stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
          .setNamespace("default")
          .setExecution(WorkflowExecution.newBuilder().setWorkflowId(RepairIds.workflowId(cluster, name)))
          .build()).getWorkflowExecutionInfo();
      Instant start = Instant.ofEpochSecond(info.getStartTime().getSeconds(), info.getStartTime().getNanos());
      return java.util.Optional.of(Duration.between(due, start));
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return java.util.Optional.empty();
      }
      throw e;
    }
  }

  static Duration percentile(List<Duration> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private String config() {
    String check = "{unhealthy-duration: %ds, types: [Ready], ok-values: [\"True\"]}"
        .formatted(unhealthyDuration.toSeconds());
    return """
        cluster-name: %s
        dry-run: false
        monitor-interval: 1h
        check-delay-after-add: 0s
        leader-elect: false
        max-unhealthy: 100%%
        max-concurrent-repairs: 100000
        healthcheck:
          master:
            - type: NodeCondition
              params: %s
          worker:
            - type: NodeCondition
              params: %s
        """.formatted(cluster, check, check);
  }
}
