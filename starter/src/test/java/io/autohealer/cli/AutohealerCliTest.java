package io.autohealer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autohealer.config.ClusterPause;
import io.autohealer.config.KubernetesSettings;
import io.autohealer.config.TemporalSettings;
import io.autohealer.detector.RepairStarter;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairPolicy;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairSearchAttributes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator CLI against the Java test server (no visibility queries, so {@code list} and
 * {@code --all} find repairs through the Nodes of fabric8's mock API server) with a scripted
 * stand-in repair.
 */
@EnableKubernetesMockClient(crud = true)
class AutohealerCliTest {
  private static final String CLUSTER = "c1";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Instant NOW = Instant.parse("2026-11-25T03:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension temporal = testWorkflowExtension();

  static KubernetesClient kubernetes;

  private WorkflowClient client;
  private RepairStarter starter;
  private final List<Map<String, String>> environments = new ArrayList<>();

  private static TestWorkflowExtension testWorkflowExtension() {
    TestWorkflowExtension.Builder builder = TestWorkflowExtension.newBuilder().setDoNotStart(true);
    for (var key : RepairSearchAttributes.ALL) {
      builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    return builder.build();
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env) {
    // A plain client, as in production (see DetectorTest for why not the environment's own).
    client = WorkflowClient.newInstance(env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace()).build());
    env.newWorker(RepairIds.taskQueue(CLUSTER)).registerWorkflowImplementationTypes(ScriptedRepairWorkflow.class);
    env.newWorker(RepairIds.taskQueue("c2")).registerWorkflowImplementationTypes(ScriptedRepairWorkflow.class);
    env.start();
    starter = new RepairStarter(client);
    ScriptedRepairWorkflow.SIGNALS.clear();
    kubernetes.nodes().delete();
    kubernetes.configMaps().inAnyNamespace().delete();
    for (String node : List.of("m1", "w1", "w2", "w3")) {
      kubernetes.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
    }
  }

  @AfterEach
  void tearDown() {
    for (String workflowId : ScriptedRepairWorkflow.WORKFLOW_IDS) {
      try {
        client.newUntypedWorkflowStub(workflowId).terminate("test over");
      } catch (WorkflowNotFoundException | WorkflowServiceException e) {
        // already closed
      }
    }
    ScriptedRepairWorkflow.WORKFLOW_IDS.clear();
  }

  // ---------------------------------------------------------------- list

  @Test
  void listFindsRepairsThroughTheClusterNodesOnTheTestServer() throws Exception {
    startRepair(CLUSTER, "w1", "keep running");
    awaitPhase("w1", RepairPhase.REBOOTING);
    startRepair(CLUSTER, "w2", "end:REBOOTED");
    awaitClosed(CLUSTER, "w2");
    startRepair("c2", "w3", "keep running"); // another cluster's repair of a node with a known name
    startRepair(CLUSTER, "gone", "end:REPLACED"); // a replaced node: its Node object is deleted
    awaitClosed(CLUSTER, "gone");

    Run table = cli("repairs", "list", "--cluster", CLUSTER);
    assertEquals(0, table.code, table.toString());
    assertTrue(table.out.contains("NODE"), table.out);
    assertTrue(table.out.lines().anyMatch(l -> l.startsWith("w1 ") && l.contains("WORKER") && l.contains("REBOOTING")
        && l.contains("Running") && l.contains("REBOOTING (running)")), table.out);
    assertTrue(table.out.lines().anyMatch(l -> l.startsWith("w2 ") && l.contains("Completed")
        && l.contains("REBOOTED") && l.contains("DONE") && !l.contains("(running)")), table.out);
    assertFalse(table.out.contains("w3"), "c2's repair is not c1's: " + table.out);
    assertFalse(table.out.contains("gone"), table.out);
    assertTrue(table.out.contains("Found with the cluster's Nodes listed through Kubernetes"), table.out);

    Run json = cli("repairs", "list", "--cluster", CLUSTER, "--node", "gone", "--output", "json");
    assertEquals(0, json.code, json.toString());
    JsonNode tree = JSON.readTree(json.out);
    assertEquals("c1", tree.get("cluster").asText());
    assertEquals("nodes", tree.get("source").asText());
    assertEquals(List.of("gone", "w1", "w2"), nodes(tree.get("repairs")).stream().sorted().toList());
    JsonNode w1 = repair(tree, "w1");
    assertEquals("Running", w1.get("executionStatus").asText());
    assertEquals("repair-c1-w1", w1.get("workflowId").asText());
    assertEquals("REBOOTING", w1.get("status").get("phase").asText());
    assertEquals(2, w1.get("status").get("steps").size());
    assertTrue(w1.get("started").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), w1.get("started").asText());
    assertEquals("REPLACED", repair(tree, "gone").get("outcome").asText());

    Run running = cli("repairs", "list", "--cluster", CLUSTER, "--running", "-o", "JSON");
    assertEquals(0, running.code, running.toString());
    assertEquals(List.of("w1"), nodes(JSON.readTree(running.out).get("repairs")));
  }

  @Test
  void listSaysSoWhenThereIsNothingAndVisibilityOnlyFailsOnTheTestServer() {
    Run empty = cli("repairs", "list", "--cluster", CLUSTER);
    assertEquals(0, empty.code, empty.toString());
    assertTrue(empty.out.startsWith("No repairs of cluster c1."), empty.out);

    Run visibility = cli("repairs", "list", "--cluster", CLUSTER, "--source", "visibility");
    assertEquals(1, visibility.code, visibility.toString());
    assertTrue(visibility.err.contains("does not support visibility queries"), visibility.err);
    assertTrue(visibility.err.contains("--source nodes"), visibility.err);
  }

  // ---------------------------------------------------------------- show

  @Test
  void showGivesTheStatusQueryOfARunningRepair() throws Exception {
    startRepair(CLUSTER, "w1", "keep running");
    awaitPhase("w1", RepairPhase.REBOOTING);

    Run table = cli("repairs", "show", "w1", "--cluster", CLUSTER);
    assertEquals(0, table.code, table.toString());
    assertTrue(table.out.startsWith("Repair of node w1 in cluster c1"), table.out);
    assertTrue(table.out.contains("repair-c1-w1 (run "), table.out);
    assertTrue(table.out.contains("Summary:            Repair worker node **w1** of cluster c1"), table.out);
    assertTrue(table.out.contains("Phase:              REBOOTING"), table.out);
    assertTrue(table.out.contains("Paused:             no"), table.out);
    assertTrue(table.out.contains("Awaiting approval:  no"), table.out);
    assertTrue(table.out.lines().anyMatch(l -> l.startsWith("VERIFYING") && l.contains("still NotReady")), table.out);
    assertTrue(table.out.lines().anyMatch(l -> l.startsWith("REBOOTING") && l.contains("(running)")), table.out);

    Run json = cli("repairs", "show", "w1", "--cluster", CLUSTER, "--output", "json");
    assertEquals(0, json.code, json.toString());
    JsonNode tree = JSON.readTree(json.out);
    assertEquals("Running", tree.get("executionStatus").asText());
    assertEquals("WORKER", tree.get("role").asText());
    assertEquals("NodeCondition", tree.get("failedCheck").asText());
    assertFalse(tree.get("status").get("paused").asBoolean());
    assertEquals("VERIFYING", tree.get("status").get("steps").get(0).get("phase").asText());
    assertTrue(tree.get("status").get("steps").get(1).get("ended").isNull());
    assertTrue(tree.get("result").isNull());
  }

  @Test
  void showGivesTheResultOfAClosedRepairAndTheFailureOfAFailedOne() throws Exception {
    startRepair(CLUSTER, "w2", "end:REBOOTED");
    awaitClosed(CLUSTER, "w2");
    startRepair(CLUSTER, "w3", "fail");
    awaitClosed(CLUSTER, "w3");

    Run done = cli("repairs", "show", "w2", "--cluster", CLUSTER);
    assertEquals(0, done.code, done.toString());
    assertTrue(done.out.contains("Status:             Completed"), done.out);
    assertTrue(done.out.contains("Outcome:            REBOOTED"), done.out);
    assertTrue(done.out.contains("Result:             scripted end (w2)"), done.out);
    assertTrue(done.out.contains("Took:               3m0s"), done.out);

    JsonNode tree = JSON.readTree(cli("repairs", "show", "w2", "--cluster", CLUSTER, "-o", "json").out);
    assertEquals("REBOOTED", tree.get("result").get("outcome").asText());
    assertEquals("PT3M", tree.get("result").get("duration").asText());
    assertFalse(tree.get("closed").isNull());

    Run failed = cli("repairs", "show", "w3", "--cluster", CLUSTER);
    assertEquals(0, failed.code, failed.toString());
    assertTrue(failed.out.contains("Status:             Failed"), failed.out);
    assertTrue(failed.out.contains("Ended:              failed: scripted failure [ScriptedFailure]"), failed.out);
  }

  @Test
  void anUnknownNodeIsAFailureWithAClearMessage() {
    Run show = cli("repairs", "show", "nope", "--cluster", CLUSTER);
    assertEquals(1, show.code, show.toString());
    assertEquals("", show.out);
    assertTrue(show.err.startsWith("error: no repair of node nope in cluster c1 (workflow repair-c1-nope not found"),
        show.err);

    Run pause = cli("repairs", "pause", "nope", "--cluster", CLUSTER);
    assertEquals(1, pause.code, pause.toString());
    assertTrue(pause.err.contains("no repair of node nope"), pause.err);
  }

  // ---------------------------------------------------------------- signals

  @Test
  void pauseResumeAndCancelDeliverTheSignalWithByAndReason() throws Exception {
    startRepair(CLUSTER, "w1", "keep running");
    awaitPhase("w1", RepairPhase.REBOOTING);

    Run pause = cli("repairs", "pause", "w1", "--cluster", CLUSTER, "--by", "bob", "--reason", "etcd maintenance");
    assertEquals(0, pause.code, pause.toString());
    assertTrue(pause.out.startsWith("Sent pause to the repair of node w1 (repair-c1-w1, run "), pause.out);
    assertSignal("repair-c1-w1", "pause", new OperatorRequest("bob", "etcd maintenance"));
    assertTrue(cli("repairs", "show", "w1", "--cluster", CLUSTER).out.contains("Paused:             yes"));
    Run list = cli("repairs", "list", "--cluster", CLUSTER);
    assertTrue(list.out.contains("Running, paused"), list.out);

    Run resume = cli("repairs", "resume", "w1", "--cluster", CLUSTER, "-o", "json");
    assertEquals(0, resume.code, resume.toString());
    JsonNode sent = JSON.readTree(resume.out);
    assertEquals("resume", sent.get("action").asText());
    assertEquals("alice", sent.get("by").asText());
    assertTrue(sent.get("sent").asBoolean());
    assertSignal("repair-c1-w1", "resume", new OperatorRequest("alice", null));

    Run cancel = cli("repairs", "cancel", "w1", "--cluster", CLUSTER, "--reason", "wrong node");
    assertEquals(0, cancel.code, cancel.toString());
    assertSignal("repair-c1-w1", "cancel", new OperatorRequest("alice", "wrong node"));
    RepairResult result = client.newUntypedWorkflowStub(RepairIds.workflowId(CLUSTER, "w1"))
        .getResult(WAIT.toSeconds(), TimeUnit.SECONDS, RepairResult.class);
    assertEquals("CANCELLED", result.outcome().name());

    Run again = cli("repairs", "pause", "w1", "--cluster", CLUSTER);
    assertEquals(1, again.code, again.toString());
    assertTrue(again.err.contains("already ended: Completed, outcome CANCELLED"), again.err);
  }

  @Test
  void approveLetsAWaitingRepairGoOn() throws Exception {
    startRepair(CLUSTER, "w1", "approval");
    awaitPhase("w1", RepairPhase.AWAITING_APPROVAL);
    assertTrue(cli("repairs", "list", "--cluster", CLUSTER).out.contains("Running, awaiting approval"));

    Run approve = cli("repairs", "approve", "w1", "--cluster", CLUSTER, "--reason", "checked the node");
    assertEquals(0, approve.code, approve.toString());
    assertSignal("repair-c1-w1", "approve", new OperatorRequest("alice", "checked the node"));
    awaitPhase("w1", RepairPhase.REBOOTING);

    Run late = cli("repairs", "approve", "w1", "--cluster", CLUSTER);
    assertEquals(0, late.code, late.toString());
    assertTrue(late.out.contains("Note: the repair was not waiting for approval (phase REBOOTING)"), late.out);
  }

  // ---------------------------------------------------------------- cluster-wide

  @Test
  void pauseAllSetsTheClusterPauseAndPausesEveryRunningRepair() throws Exception {
    startRepair(CLUSTER, "w1", "keep running");
    startRepair(CLUSTER, "m1", "keep running");
    startRepair(CLUSTER, "w2", "end:REBOOTED");
    awaitClosed(CLUSTER, "w2");
    startRepair("c2", "w3", "keep running");
    awaitPhase("w1", RepairPhase.REBOOTING);
    awaitPhase("m1", RepairPhase.REBOOTING);

    Run pause = cli("repairs", "pause", "--all", "--cluster", CLUSTER, "--reason", "etcd upgrade", "-o", "json");
    assertEquals(0, pause.code, pause.toString());
    ConfigMap cm = kubernetes.configMaps().inNamespace("kube-system").withName(ClusterPause.CONFIG_MAP).get();
    assertNotNull(cm, "the control ConfigMap is created");
    assertEquals(new ClusterPause("alice", "etcd upgrade", NOW),
        ClusterPause.fromConfigMap(cm).orElseThrow());
    JsonNode tree = JSON.readTree(pause.out);
    assertEquals("kube-system/magnum-autohealer-control", tree.get("configMap").asText());
    assertEquals("nodes", tree.get("source").asText());
    assertEquals(List.of("m1", "w1"), nodes(tree.get("repairs")).stream().sorted().toList());
    assertSignal("repair-c1-m1", "pause", new OperatorRequest("alice", "etcd upgrade"));
    assertSignal("repair-c1-w1", "pause", new OperatorRequest("alice", "etcd upgrade"));
    assertNoMoreSignals();

    Run resume = cli("repairs", "resume", "--all", "--cluster", CLUSTER);
    assertEquals(0, resume.code, resume.toString());
    assertTrue(resume.out.startsWith("Cluster c1: healer resumed (it was paused by alice at 2026-11-25T03:00:00Z: "
        + "etcd upgrade; annotation autohealer.openstack.org/paused removed"), resume.out);
    assertTrue(resume.out.contains("Sent resume to 2 of 2 running repairs:"), resume.out);
    assertTrue(ClusterPause.fromConfigMap(
        kubernetes.configMaps().inNamespace("kube-system").withName(ClusterPause.CONFIG_MAP).get()).isEmpty());
    assertSignal("repair-c1-m1", "resume", new OperatorRequest("alice", null));
    assertSignal("repair-c1-w1", "resume", new OperatorRequest("alice", null));
  }

  @Test
  void pauseAllWithoutRunningRepairsStillPausesTheClusterInTheGivenNamespace() {
    Run pause = cli("repairs", "pause", "--all", "--cluster", CLUSTER, "--control-namespace", "ops", "--by", "carol");
    assertEquals(0, pause.code, pause.toString());
    assertTrue(pause.out.startsWith("Cluster c1: healer paused by carol at 2026-11-25T03:00:00Z (annotation "
        + "autohealer.openstack.org/paused on ConfigMap ops/magnum-autohealer-control); the detector starts no new "
        + "repair."), pause.out);
    assertTrue(pause.out.contains("No running repairs of cluster c1 to pause."), pause.out);
    assertEquals("carol", ClusterPause.fromConfigMap(
        kubernetes.configMaps().inNamespace("ops").withName(ClusterPause.CONFIG_MAP).get()).orElseThrow().by());
  }

  // ---------------------------------------------------------------- usage and settings

  @Test
  void usageErrorsExitWithTwo() {
    Run noReason = cli("repairs", "cancel", "w1", "--cluster", CLUSTER);
    assertEquals(2, noReason.code, noReason.toString());
    assertTrue(noReason.err.contains("Missing required option: '--reason=<text>'"), noReason.err);
    assertTrue(noReason.err.contains("Try 'autohealer repairs cancel --help'"), noReason.err);

    assertEquals(2, cli("repairs", "cancel", "w1", "--cluster", CLUSTER, "--reason", " ").code);
    assertEquals(2, cli("repairs", "list").code, "no --cluster and no --config");
    assertEquals(2, cli("repairs", "pause", "--cluster", CLUSTER).code, "neither <node> nor --all");
    assertEquals(2, cli("repairs", "pause", "w1", "--all", "--cluster", CLUSTER).code);
    assertEquals(2, cli("repairs", "approve", "--all", "--cluster", CLUSTER).code, "approve has no --all");
    assertEquals(2, cli("repairs", "list", "--cluster", CLUSTER, "--output", "yaml").code);
    assertEquals(2, cli("repairs", "frobnicate").code);
    assertEquals(2, cli("repairs").code);
    assertEquals(2, cli().code);
    Run missingCluster = cli("repairs", "show", "w1");
    assertTrue(missingCluster.err.startsWith("error: --cluster is required (or --config"), missingCluster.err);
    assertTrue(ScriptedRepairWorkflow.SIGNALS.isEmpty());
  }

  @Test
  void helpNamesTheCommandsAndSaysHowRepairsAreFound() {
    Run help = cli("repairs", "--help");
    assertEquals(0, help.code);
    String helpText = help.out.replaceAll("\\s+", " ");
    for (String word : List.of("list", "show", "pause", "resume", "approve", "cancel",
        "visibility query RepairCluster=\"<cluster>\"", "UNIMPLEMENTED", "Exit codes: 0 ok, 1 failure")) {
      assertTrue(helpText.contains(word), word + " in " + help.out);
    }
    Run list = cli("repairs", "list", "--help");
    assertEquals(0, list.code);
    String listText = list.out.replaceAll("\\s+", " ");
    for (String word : List.of("--cluster", "--config", "--address", "--namespace", "--kubeconfig", "--output",
        "--source", "TEMPORAL_ADDRESS", "127.0.0.1:7233", "Nodes are listed through Kubernetes")) {
      assertTrue(listText.contains(word), word + " in " + list.out);
    }
  }

  @Test
  void aConfigFileGivesTheClusterAndOptionsWin(@TempDir Path dir) throws IOException {
    startRepair(CLUSTER, "w1", "keep running");
    startRepair("c2", "w1", "keep running");
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        cluster-name: c1
        temporal:
          address: temporal.example:7233
          namespace: fleet
        kubernetes:
          kubeconfig: /etc/kubernetes/admin.conf
        """);
    Run fromConfig = cli("repairs", "list", "--config", config.toString(), "-o", "json");
    assertEquals(0, fromConfig.code, fromConfig.toString());
    assertEquals("repair-c1-w1", JSON.readTree(fromConfig.out).get("repairs").get(0).get("workflowId").asText());
    assertEquals(new TemporalSettings("temporal.example:7233", "fleet"), lastTemporal);
    assertEquals(new KubernetesSettings(null, "/etc/kubernetes/admin.conf"), lastKubernetes);

    Run overridden = cli("repairs", "show", "w1", "--config", config.toString(), "--cluster", "c2",
        "--address", "other:7233", "--namespace", "ns2", "-o", "json");
    assertEquals(0, overridden.code, overridden.toString());
    assertEquals("repair-c2-w1", JSON.readTree(overridden.out).get("workflowId").asText());
    assertEquals(new TemporalSettings("other:7233", "ns2"), lastTemporal);
    assertEquals(0, cli("repairs", "list", "--config", config.toString(), "--kubeconfig", "/tmp/kc").code);
    assertEquals(new KubernetesSettings(null, "/tmp/kc"), lastKubernetes);

    environment = Map.of("TEMPORAL_ADDRESS", "env-host:7233", "TEMPORAL_NAMESPACE", "env-ns");
    assertEquals(0, cli("repairs", "show", "w1", "--cluster", CLUSTER).code);
    assertEquals(new TemporalSettings("env-host:7233", "env-ns"), lastTemporal);
    environment = Map.of();
    assertEquals(0, cli("repairs", "show", "w1", "--cluster", CLUSTER).code);
    assertEquals(new TemporalSettings("127.0.0.1:7233", "default"), lastTemporal);

    Path broken = Files.writeString(dir.resolve("broken.yaml"), "dry-run: true\n");
    Run invalid = cli("repairs", "list", "--config", broken.toString());
    assertEquals(2, invalid.code, invalid.toString());
    assertTrue(invalid.err.startsWith("error: cluster-name is required"), invalid.err);
  }

  @Test
  void anUnreachableServerIsAFailure() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long started = System.nanoTime();
    int code = new AutohealerCli(Backends.production(), new PrintWriter(out), new PrintWriter(err))
        .execute("repairs", "show", "w1", "--cluster", CLUSTER, "--address", "127.0.0.1:" + port);
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().startsWith("error: cannot reach Temporal at 127.0.0.1:" + port), err.toString());
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20), "gives up after the connect timeout");
  }

  @Test
  void visibilityQueryQuotesTheClusterName() {
    assertEquals("RepairCluster=\"c1\"",
        VisibilityRepairFinder.query(new RepairFinder.Request("c1", false, 10, java.util.Set.of())));
    assertEquals("RepairCluster=\"a\\\"b\" AND ExecutionStatus=\"Running\"",
        VisibilityRepairFinder.query(new RepairFinder.Request("a\"b", true, 10, java.util.Set.of())));
  }

  // ---------------------------------------------------------------- helpers

  private Map<String, String> environment = Map.of();
  private TemporalSettings lastTemporal;
  private KubernetesSettings lastKubernetes;

  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Backends backends = new Backends() {
      @Override
      public Handle<WorkflowClient> temporal(TemporalSettings settings) {
        lastTemporal = settings;
        return Handle.unmanaged(client);
      }

      @Override
      public Handle<KubernetesClient> kubernetes(KubernetesSettings settings) {
        lastKubernetes = settings;
        return Handle.unmanaged(kubernetes);
      }

      @Override
      public String environment(String name) {
        return environment.get(name);
      }

      @Override
      public Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
      }

      @Override
      public String user() {
        return "alice";
      }
    };
    int code = new AutohealerCli(backends, new PrintWriter(out), new PrintWriter(err)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private void startRepair(String cluster, String node, String script) {
    NodeRole role = node.startsWith("m") ? NodeRole.MASTER : NodeRole.WORKER;
    starter.start(new RepairRequest(cluster, node, "server-" + node, role, "default-worker", List.of("10.0.0.1"),
        "NodeCondition", script, NOW, RepairPolicy.defaults()));
  }

  private void awaitPhase(String node, RepairPhase phase) throws InterruptedException {
    RepairNodeWorkflow stub = client.newWorkflowStub(RepairNodeWorkflow.class, RepairIds.workflowId(CLUSTER, node));
    await(node + " in " + phase, () -> stub.status().phase(), phase::equals);
  }

  private void awaitClosed(String cluster, String node) {
    try {
      client.newUntypedWorkflowStub(RepairIds.workflowId(cluster, node))
          .getResult(WAIT.toSeconds(), TimeUnit.SECONDS, RepairResult.class);
    } catch (WorkflowFailedException expected) {
      // a scripted failure
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(node + " did not close", e);
    }
  }

  private static void assertSignal(String workflowId, String name, OperatorRequest request)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<ScriptedRepairWorkflow.Signal> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      ScriptedRepairWorkflow.Signal signal =
          ScriptedRepairWorkflow.SIGNALS.poll(100, TimeUnit.MILLISECONDS);
      if (signal == null) {
        continue;
      }
      if (signal.workflowId().equals(workflowId) && signal.name().equals(name)) {
        assertEquals(request, signal.request());
        ScriptedRepairWorkflow.SIGNALS.addAll(seen);
        return;
      }
      seen.add(signal);
    }
    ScriptedRepairWorkflow.SIGNALS.addAll(seen);
    throw new AssertionError("no " + name + " signal to " + workflowId + "; got " + seen);
  }

  private static void assertNoMoreSignals() throws InterruptedException {
    assertNull(ScriptedRepairWorkflow.SIGNALS.poll(300, TimeUnit.MILLISECONDS));
  }

  private static List<String> nodes(JsonNode repairs) {
    List<String> nodes = new ArrayList<>();
    repairs.forEach(r -> nodes.add(r.get("node").asText()));
    return nodes;
  }

  private static JsonNode repair(JsonNode list, String node) {
    for (JsonNode r : list.get("repairs")) {
      if (r.get("node").asText().equals(node)) {
        return r;
      }
    }
    throw new AssertionError("no " + node + " in " + list);
  }

  private static <T> T await(String what, Supplier<T> value, Predicate<T> done) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    T last = value.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT.toSeconds() + "s: " + what + "; last: " + last);
      }
      Thread.sleep(50);
      last = value.get();
    }
    return last;
  }
}
