package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairSearchAttributes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process as deployed: config file, Temporal over gRPC, Kubernetes over HTTP, stop as on SIGTERM. */
@EnableKubernetesMockClient(crud = true)
class DetectorMainRunTest {
  private static final String CLUSTER = "c1";

  static KubernetesClient client;

  @TempDir Path dir;

  @Test
  void startsARepairForAnUnhealthyWorkerAndStopsCleanly() throws Exception {
    int port = freePort();
    try (TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true)) {
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget("localhost:" + port).build());
      registerSearchAttributes(stubs);
      WorkflowClient workflowClient =
          WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
      WorkerFactory workers = WorkerFactory.newInstance(workflowClient);
      workers.newWorker(RepairIds.taskQueue(CLUSTER)).registerWorkflowImplementationTypes(RecordingRepairWorkflow.class);
      workers.start();
      RecordingRepairWorkflow.STARTED.clear();
      client.nodes().resource(TestNodes.worker("k8s-node-1", "False", Instant.now().minus(Duration.ofMinutes(10))).build()).create();

      StringWriter err = new StringWriter();
      DetectorMain main = new DetectorMain(new PrintWriter(err, true));
      AtomicInteger exitCode = new AtomicInteger(-1);
      int metricsPort = freePort();
      Thread process =
          new Thread(() -> exitCode.set(main.execute("--config", config(port, metricsPort).toString())), "detector-main");
      process.start();
      try {
        RecordingRepairWorkflow.Run run = RecordingRepairWorkflow.STARTED.poll(30, TimeUnit.SECONDS);
        assertNotNull(run, "no repair started; stderr: " + err);
        assertEquals(RepairIds.workflowId(CLUSTER, "k8s-node-1"), run.workflowId());

        // The deploy probes and Prometheus.
        assertEquals(metricsPort, main.metricsPort());
        assertEquals(200, get(metricsPort, "/healthz").statusCode());
        assertEquals(200, get(metricsPort, "/readyz").statusCode());
        String metrics = get(metricsPort, "/metrics").body();
        assertTrue(metrics.contains("autohealer_repairs_started_total{cluster=\"c1\",role=\"worker\"} 1.0"), metrics);
        assertTrue(metrics.contains("autohealer_nodes_unhealthy{cluster=\"c1\",role=\"worker\"} 1.0"), metrics);
      } finally {
        main.stop();
        process.join(TimeUnit.SECONDS.toMillis(30));
        workflowClient.newUntypedWorkflowStub(RepairIds.workflowId(CLUSTER, "k8s-node-1")).terminate("test over");
        workers.shutdownNow();
        stubs.shutdownNow();
      }
      assertEquals(0, exitCode.get(), err.toString());
      assertEquals("", err.toString());
    }
  }

  private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private Path config(int temporalPort, int metricsPort) {
    try {
      Path kubeconfig =
          Files.writeString(
              dir.resolve("kubeconfig"),
              """
              apiVersion: v1
              kind: Config
              clusters:
              - name: mock
                cluster: {server: "%s", insecure-skip-tls-verify: true}
              contexts:
              - name: mock
                context: {cluster: mock, user: mock, namespace: default}
              current-context: mock
              users:
              - name: mock
                user: {token: secret}
              """
                  .formatted(client.getMasterUrl()));
      return Files.writeString(
          dir.resolve("config.yaml"),
          """
          cluster-name: %s
          monitor-interval: 1h
          check-delay-after-add: 0s
          leader-elect: false
          healthcheck:
            worker:
              - type: NodeCondition
                params: {unhealthy-duration: 1m}
          kubernetes:
            kubeconfig: %s
          temporal:
            address: localhost:%d
          metrics-port: %d
          """
              .formatted(CLUSTER, kubeconfig, temporalPort, metricsPort));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void registerSearchAttributes(WorkflowServiceStubs stubs) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder().setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
    AddSearchAttributesRequest.Builder request = AddSearchAttributesRequest.newBuilder().setNamespace("default");
    RepairSearchAttributes.ALL.forEach(
        key -> request.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    operator.blockingStub().addSearchAttributes(request.build());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
