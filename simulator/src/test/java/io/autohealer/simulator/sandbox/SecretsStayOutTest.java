package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.worker.WorkerMain;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.History;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A whole repair by real worker and detector processes on the simulator, with a distinctive
 * OpenStack password (Keystone accepts only it, so the repair proves it was used) and a Temporal API
 * key: neither may appear in any workflow's history, in a line of the worker's or the detector's
 * log, or in any Kubernetes Event. Each search is then shown to find a planted copy, so that a
 * search that cannot see the secret does not pass for one that found nothing.
 */
class SecretsStayOutTest {
  private static final String PASSWORD = "Zq7-os-pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  private static final String API_KEY = "tmprl-api-key-" + Long.toHexString(System.nanoTime());
  private static final Duration WAIT = Duration.ofSeconds(150);

  @Test
  void passwordAndApiKeyAppearInNoHistoryLogOrEvent() throws Exception {
    Path dir = Path.of("target", "secrets-stay-out");
    KeystoneAccount d = KeystoneAccount.defaults();
    KeystoneAccount account = new KeystoneAccount(d.userId(), d.userName(), d.domainId(), d.domainName(), PASSWORD,
        d.projectId(), d.projectName(), d.trustId());
    try (Simulator simulator = Simulator.start(Simulator.Options.defaults(), account, Duration.ofMinutes(1));
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      Path config = configWithApiKey(dir, simulator, temporal.target());
      assertTrue(Files.readString(config).contains("password: " + PASSWORD), "the password is in the config file");
      Path workerLog = fresh(dir.resolve("worker.log"));
      Path detectorLog = fresh(dir.resolve("detector.log"));
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try {
        WorkflowClient client = WorkflowClient.newInstance(stubs,
            WorkflowClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
        String node = simulator.workerNodes().get(0);
        try (ChildJvm worker = ChildJvm.start("worker", WorkerMain.class, workerLog,
                List.of("--config", config.toString(), "--test-server", "--metrics-port", "0"));
            ChildJvm detector = ChildJvm.start("detector", DetectorMain.class, detectorLog,
                List.of("--config", config.toString()))) {
          simulator.breakNode(node, NodeFault.KUBELET_STOPPED);
          Map<String, RepairResult> results = new RepairWatcher(client, simulator.cluster().name(),
              new PrintStream(OutputStream.nullOutputStream()), () -> {
                assertTrue(worker.isAlive(), "worker exited; see " + workerLog);
                assertTrue(detector.isAlive(), "detector exited; see " + detectorLog);
              }).watch(List.of(node), Instant.now().plus(WAIT));
          RepairResult result = results.get(node);
          assertTrue(result != null && result.outcome() == RepairOutcome.REBOOTED,
              "the repair authenticated with the password and rebooted the node: " + result);
        }
        // Both processes have stopped: their logs are complete.
        assertTrue(simulator.openstack().calls("nova.server.reboot") >= 1, "Nova was called with a token");

        Map<String, byte[]> histories = histories(stubs, temporal.namespace());
        assertTrue(histories.keySet().stream().anyMatch(id -> id.startsWith("repair-")), "the repair's history: "
            + histories.keySet());
        Map<String, byte[]> logs = Map.of("worker.log", Files.readAllBytes(workerLog),
            "detector.log", Files.readAllBytes(detectorLog));
        assertTrue(new String(logs.get("worker.log"), StandardCharsets.UTF_8).contains("Worker for cluster"),
            "the worker logged");
        KubernetesClient kubernetes = simulator.kubernetes().client();
        Map<String, byte[]> events = events(kubernetes);
        assertFalse(events.isEmpty(), "the repair left Events");

        for (String secret : List.of(PASSWORD, API_KEY)) {
          assertEquals(List.of(), holding(histories, secret), "workflow histories holding a secret");
          assertEquals(List.of(), holding(logs, secret), "log files holding a secret");
          assertEquals(List.of(), holding(events, secret), "Events holding a secret");
        }
        System.out.printf("SecretsStayOutTest: password and API key in none of %d histories, %d log files "
            + "(%d bytes), %d Events%n", histories.size(), logs.size(),
            logs.values().stream().mapToInt(b -> b.length).sum(), events.size());

        // The same searches find a planted copy.
        client.newUntypedWorkflowStub("PlantedSecret",
            WorkflowOptions.newBuilder().setTaskQueue("no-worker").setWorkflowId("planted-secret").build())
            .start("input " + PASSWORD);
        assertEquals(List.of("planted-secret"), holding(histories(stubs, temporal.namespace()), PASSWORD));
        Files.writeString(workerLog, "planted " + API_KEY + "\n", StandardOpenOption.APPEND);
        assertEquals(List.of("worker.log"), holding(Map.of("worker.log", Files.readAllBytes(workerLog)), API_KEY));
        kubernetes.v1().events().inNamespace("default").resource(new EventBuilder()
            .withNewMetadata().withName("planted").endMetadata()
            .withNewInvolvedObject().withKind("Node").withName(node).endInvolvedObject()
            .withReason("Planted").withMessage("password " + PASSWORD).withType("Normal").build()).create();
        assertEquals(List.of("default/planted"), holding(events(kubernetes), PASSWORD));
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  private static Path configWithApiKey(Path dir, Simulator simulator, String target) throws Exception {
    Path config = SandboxConfig.write(dir, simulator, target, Duration.ofSeconds(5), false);
    Path apiKey = Files.writeString(dir.resolve("temporal-api-key"), API_KEY + "\n");
    String yaml = Files.readString(config);
    String withKey = yaml.replace("temporal:\n", "temporal:\n  api-key-file: " + apiKey.toAbsolutePath()
        + "\n  tls:\n    enabled: false\n")
        // Pods of a node whose kubelet stopped never leave; a short drain keeps the test short.
        .replace("drain-timeout: 30s", "drain-timeout: 5s");
    assertTrue(withKey.contains("api-key-file") && withKey.contains("drain-timeout: 5s"), withKey);
    return Files.writeString(config, withKey);
  }

  private static Path fresh(Path log) throws Exception {
    Files.deleteIfExists(log);
    return log;
  }

  /** Every workflow run, open or closed, and its whole history as the server serializes it. */
  private static Map<String, byte[]> histories(WorkflowServiceStubs stubs, String namespace) {
    List<WorkflowExecution> runs = new ArrayList<>();
    ListOpenWorkflowExecutionsResponse open = stubs.blockingStub().listOpenWorkflowExecutions(
        ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setMaximumPageSize(1000).build());
    open.getExecutionsList().stream().map(WorkflowExecutionInfo::getExecution).forEach(runs::add);
    ListClosedWorkflowExecutionsResponse closed = stubs.blockingStub().listClosedWorkflowExecutions(
        ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setMaximumPageSize(1000).build());
    closed.getExecutionsList().stream().map(WorkflowExecutionInfo::getExecution).forEach(runs::add);
    Map<String, byte[]> histories = new LinkedHashMap<>();
    for (WorkflowExecution run : runs) {
      History.Builder history = History.newBuilder();
      GetWorkflowExecutionHistoryResponse page = null;
      do {
        GetWorkflowExecutionHistoryRequest.Builder request = GetWorkflowExecutionHistoryRequest.newBuilder()
            .setNamespace(namespace).setExecution(run);
        if (page != null) {
          request.setNextPageToken(page.getNextPageToken());
        }
        page = stubs.blockingStub().getWorkflowExecutionHistory(request.build());
        history.addAllEvents(page.getHistory().getEventsList());
      } while (!page.getNextPageToken().isEmpty());
      histories.merge(run.getWorkflowId(), history.build().toByteArray(), SecretsStayOutTest::concat);
    }
    return histories;
  }

  /** Every Event of the cluster (core/v1 and events.k8s.io/v1), as JSON, by namespace/name. */
  private static Map<String, byte[]> events(KubernetesClient kubernetes) {
    Map<String, byte[]> events = new LinkedHashMap<>();
    kubernetes.v1().events().inAnyNamespace().list().getItems().forEach(e -> events.put(
        e.getMetadata().getNamespace() + "/" + e.getMetadata().getName(),
        Serialization.asJson(e).getBytes(StandardCharsets.UTF_8)));
    kubernetes.events().v1().events().inAnyNamespace().list().getItems().forEach(e -> events.merge(
        e.getMetadata().getNamespace() + "/" + e.getMetadata().getName(),
        Serialization.asJson(e).getBytes(StandardCharsets.UTF_8), SecretsStayOutTest::concat));
    return events;
  }

  /** The names whose bytes hold {@code secret} as UTF-8 text or base64 (payloads in JSON are base64). */
  private static List<String> holding(Map<String, byte[]> contents, String secret) {
    List<byte[]> forms = List.of(secret.getBytes(StandardCharsets.UTF_8),
        Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)).replace("=", "")
            .getBytes(StandardCharsets.UTF_8));
    return contents.entrySet().stream()
        .filter(e -> forms.stream().anyMatch(form -> indexOf(e.getValue(), form) >= 0))
        .map(Map.Entry::getKey).toList();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
