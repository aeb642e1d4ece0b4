package io.autohealer.simulator.realtemporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autohealer.cli.AutohealerCli;
import io.autohealer.cli.Backends;
import io.autohealer.config.KubernetesSettings;
import io.autohealer.config.TemporalSettings;
import io.autohealer.detector.RepairStarter;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairPolicy;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairSearchAttributes;
import io.autohealer.workflows.RepairStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code autohealer repairs list} on the real server finds repairs with the visibility query on
 * RepairCluster (no Kubernetes involved), lists only the asked cluster's, with each outcome.
 */
@RealTemporal
class RepairsListRealTemporalTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Ends at once with the outcome {@code end:<OUTCOME>} in the reason, or runs until cancelled. */
  public static class StandInRepair implements RepairNodeWorkflow {
    private RepairPhase phase = RepairPhase.VERIFYING;
    private RepairOutcome outcome;
    private boolean cancelled;

    @Override
    public RepairResult repair(RepairRequest request) {
      if (request.reason().startsWith("end:")) {
        outcome = RepairOutcome.valueOf(request.reason().substring(4));
      } else {
        phase = RepairPhase.REBOOTING;
        Workflow.upsertTypedSearchAttributes(RepairSearchAttributes.PHASE.valueSet(phase.name()));
        Workflow.await(() -> cancelled);
        outcome = RepairOutcome.CANCELLED;
      }
      phase = RepairPhase.DONE;
      Workflow.upsertTypedSearchAttributes(RepairSearchAttributes.PHASE.valueSet(phase.name()),
          RepairSearchAttributes.OUTCOME.valueSet(outcome.name()));
      return new RepairResult(outcome, "stand-in", List.of(), Duration.ZERO);
    }

    @Override
    public void pause(OperatorRequest request) {}

    @Override
    public void resume(OperatorRequest request) {}

    @Override
    public void approve(OperatorRequest request) {}

    @Override
    public void cancel(OperatorRequest request) {
      cancelled = true;
    }

    @Override
    public RepairStatus status() {
      return new RepairStatus(null, null, phase, outcome, false, false, List.of(), null);
    }
  }

  @Test
  void listUsesTheVisibilityQueryAndListsOnlyTheAskedCluster(TemporalDevServer server) throws Exception {
    WorkflowClient client = server.newWorkflowClient();
    WorkerFactory factory = WorkerFactory.newInstance(client);
    for (String cluster : List.of("c1", "c2")) {
      factory.newWorker(RepairIds.taskQueue(cluster)).registerWorkflowImplementationTypes(StandInRepair.class);
    }
    factory.start();
    RepairStarter starter = new RepairStarter(client);
    try {
      start(starter, "c1", "w1", "keep running");
      start(starter, "c1", "w2", "end:REBOOTED");
      start(starter, "c1", "m1", "end:FAILED");
      start(starter, "c2", "w1", "keep running");
      start(starter, "c2", "w3", "end:REPLACED");

      Map<String, String> expected = Map.of("w1", "RUNNING", "w2", "REBOOTED", "m1", "FAILED");
      JsonNode list = awaitList(server, "c1", expected);
      assertEquals("visibility", list.get("source").asText());
      assertEquals("visibility query RepairCluster=\"c1\"", list.get("foundWith").asText());
      for (JsonNode repair : list.get("repairs")) {
        assertEquals("c1", repair.get("cluster").asText());
        assertEquals("repair-c1-" + repair.get("node").asText(), repair.get("workflowId").asText());
      }
      JsonNode w1 = list.get("repairs").findParents("node").stream()
          .filter(r -> r.get("node").asText().equals("w1")).findFirst().orElseThrow();
      assertEquals("Running", w1.get("executionStatus").asText());
      assertEquals("REBOOTING", w1.get("status").get("phase").asText(), "the worker answered the status query");

      assertEquals(Map.of("w1", "RUNNING", "w3", "REPLACED"),
          outcomes(awaitList(server, "c2", Map.of("w1", "RUNNING", "w3", "REPLACED"))));

      Run running = cli(server, "repairs", "list", "--cluster", "c1", "--running", "-o", "json");
      assertEquals(0, running.code(), running.err());
      assertEquals(Map.of("w1", "RUNNING"), outcomes(JSON.readTree(running.out())));

      Run table = cli(server, "repairs", "list", "--cluster", "c1");
      assertEquals(0, table.code(), table.err());
      assertTrue(table.out().contains("Found with visibility query RepairCluster=\"c1\"."), table.out());
      assertTrue(table.out().lines().anyMatch(l -> l.startsWith("m1 ") && l.contains("MASTER")
          && l.contains("Completed") && l.contains("FAILED")), table.out());
    } finally {
      for (String id : List.of("repair-c1-w1", "repair-c2-w1")) {
        client.newWorkflowStub(RepairNodeWorkflow.class, id).cancel(new OperatorRequest("test", "done"));
        client.newUntypedWorkflowStub(id).getResult(30, TimeUnit.SECONDS, RepairResult.class);
      }
      factory.shutdownNow();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void start(RepairStarter starter, String cluster, String node, String script) {
    starter.start(new RepairRequest(cluster, node, "server-" + node,
        node.startsWith("m") ? NodeRole.MASTER : NodeRole.WORKER, "default-worker", List.of(),
        "NodeCondition", script, Instant.now(), RepairPolicy.defaults()));
  }

  /** Lists until the cluster's repairs have the expected outcomes (visibility is eventually consistent). */
  private static JsonNode awaitList(TemporalDevServer server, String cluster, Map<String, String> expected)
      throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (true) {
      Run run = cli(server, "repairs", "list", "--cluster", cluster, "--output", "json");
      assertEquals(0, run.code(), run.err());
      JsonNode list = JSON.readTree(run.out());
      if (outcomes(list).equals(expected) || Instant.now().isAfter(deadline)) {
        assertEquals(expected, outcomes(list), run.out());
        return list;
      }
      Thread.sleep(200);
    }
  }

  private static Map<String, String> outcomes(JsonNode list) {
    Map<String, String> outcomes = new TreeMap<>();
    for (JsonNode repair : list.get("repairs")) {
      outcomes.put(repair.get("node").asText(), repair.get("outcome").asText());
    }
    return outcomes;
  }

  record Run(int code, String out, String err) {}

  /** The CLI as an operator runs it, on the real connection; Kubernetes must not be needed. */
  private static Run cli(TemporalDevServer server, String... args) {
    Backends production = Backends.production();
    Backends noKubernetes = new Backends() {
      @Override
      public Handle<WorkflowClient> temporal(TemporalSettings settings) {
        return production.temporal(settings);
      }

      @Override
      public Handle<KubernetesClient> kubernetes(KubernetesSettings settings) {
        throw new AssertionError("Kubernetes was asked for: the visibility query should have been enough");
      }
    };
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", server.target(), "--namespace", server.namespace()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new AutohealerCli(noKubernetes, new PrintWriter(out), new PrintWriter(err))
        .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }
}
