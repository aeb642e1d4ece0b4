package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.checks.EndpointCheck;
import io.autohealer.detector.checks.EndpointSettings;
import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.HealthStatus;
import io.autohealer.workflows.NodeRole;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Endpoint check inside the detector, on the mock API server: the annotation costs one PATCH
 * when failing begins and one when it ends, a pass never waits for probes, and the health report
 * lists an unhealthy master.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DetectorEndpointTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final String ANNOTATION = EndpointSettings.DEFAULT_ANNOTATION;
  private static final String READER = "test-reader";

  // One server per test: closing a watch while the mock server still delivers events to it (the
  // next test's set-up) blocks its event loop.
  KubernetesMockServer server;
  KubernetesClient client;

  private final TestClock clock = new TestClock(T0);
  private final BlockingQueue<HealthReport> reports = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile int status = 200;
  private volatile boolean hang;
  private HttpServer endpoint;
  private Detector detector;
  private HealthReporter reporter;
  private EndpointCheck check;

  static final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    TestClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void startEndpoint() throws IOException {
    endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    endpoint.createContext("/", exchange -> {
      if (hang) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    endpoint.setExecutor(Executors.newCachedThreadPool());
    endpoint.start();
  }

  @AfterEach
  void stop() {
    // The mock server goes first. When the client closes a watch while the mock lives, the mock's
    // WatchEventsListener.onClosed blocks its event loop waiting for a close task that needs that loop,
    // and its shutdown then times out ("Unable to close MockWebServer"). Closed from the server's side,
    // the watches end without that wait; the extension's own destroy afterwards is a no-op.
    server.destroy();
    if (detector != null) {
      detector.close();
    }
    if (reporter != null) {
      reporter.close();
    }
    release.countDown();
    endpoint.stop(0);
  }

  private void startDetector(String endpointParams) {
    startDetector(endpointParams, client);
  }

  private void startDetector(String endpointParams, KubernetesClient kubernetes) {
    String yaml = """
        cluster-name: c1
        dry-run: true
        monitor-interval: 1h
        check-delay-after-add: 0s
        leader-elect: false
        healthcheck:
          master:
            - type: Endpoint
              params: {protocol: http, port: %d, %s}
          worker:
            - type: Endpoint
              params: {protocol: http, port: %d, %s}
        """.formatted(endpoint.getAddress().getPort(), endpointParams, endpoint.getAddress().getPort(), endpointParams);
    AutoHealerConfig config = ConfigLoader.builder().environment(k -> null).build().read(yaml, "test");
    HealthChecks checks = HealthCheckRegistry.load().build(config.healthCheck());
    check = (EndpointCheck) checks.master().get(0);
    reporter = new HealthReporter(reports::add);
    detector = new Detector(config, checks, kubernetes, new RepairStarter(null), clock, DetectorListener.NONE, reporter);
    detector.start();
  }

  private static Node master(String name, String internalIp) {
    NodeBuilder builder = new NodeBuilder().withNewMetadata().withName(name)
        .addToLabels(NodeFacts.CONTROL_PLANE_LABEL, "").endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
    if (internalIp != null) {
      builder.editStatus().addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress().endStatus();
    }
    return builder.build();
  }

  private void awaitProbes(long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (check.stats().completed() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("probes did not complete: " + check.stats());
      }
      Thread.sleep(5);
    }
  }

  /** Runs a pass and waits for the probes it started. */
  private PassSummary pass(long probesCompleted) throws Exception {
    PassSummary summary = detector.passNow().get(10, TimeUnit.SECONDS);
    awaitProbes(probesCompleted);
    return summary;
  }

  /** The detector's requests to the API server since the last call, as "METHOD path". */
  private List<String> requests() throws InterruptedException {
    List<String> seen = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (!READER.equals(request.getHeader("User-Agent"))) {
        seen.add(request.method() + " " + request.getPath());
      }
    }
    return seen;
  }

  /** Reads with a client of its own, whose requests {@link #requests()} leaves out. */
  private String annotation(String node) {
    try (KubernetesClient reader = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(READER).build()).build()) {
      Map<String, String> annotations = reader.nodes().withName(node).get().getMetadata().getAnnotations();
      return annotations == null ? null : annotations.get(ANNOTATION);
    }
  }

  @Test
  void theAnnotationIsPatchedOnceWhenFailingBeginsAndOnceWhenItEnds() throws Exception {
    client.nodes().resource(master("m-0", "127.0.0.1")).create();
    startDetector("unhealthy-duration: 2h");
    requests(); // the node's creation, the informer's list and watch

    // Healthy passes: no call at all (Go: a GET and an UPDATE of the node on every pass).
    for (int i = 1; i <= 3; i++) {
      pass(i);
      clock.advance(Duration.ofMinutes(31));
    }
    assertEquals(List.of(), requests());

    // Failing begins at T0+93m: one merge patch.
    status = 503;
    Instant failingSince = clock.instant();
    pass(4);
    Await.until(() -> annotation("m-0") != null);
    assertEquals("2026-11-25 11:33:00", annotation("m-0"));
    assertEquals(List.of("PATCH /api/v1/nodes/m-0"), requests(), "one merge patch, no GET before it");

    // Still failing, still pending: no more calls.
    for (int i = 5; i <= 7; i++) {
      clock.advance(Duration.ofMinutes(31));
      pass(i);
    }
    assertEquals(List.of(), requests());
    assertEquals(HealthStatus.HEALTHY, lastReport().status(), "pending counts as passing (Go)");

    // Past the duration: a confirming probe, then the node is unhealthy; reported, master listed.
    clock.advance(Duration.ofMinutes(2).plus(Duration.between(clock.instant(), failingSince.plus(Duration.ofHours(2)))));
    pass(8);
    Await.until(() -> {
      PassSummary summary = detector.passNow().join();
      return summary.unhealthy() == 1;
    });
    HealthReport report = lastReport();
    assertEquals(HealthStatus.UNHEALTHY, report.status());
    assertEquals(List.of(new HealthReport.UnhealthyNode("m-0", NodeRole.MASTER, "EndpointCheck")),
        report.unhealthyNodes());
    detector.awaitQuiet(Duration.ofSeconds(5)); // the detector posts its Events on a thread of their own
    assertEquals(List.of("POST /api/v1/namespaces/default/events"), requests(),
        "the detector's one Event that the node is unhealthy; no GET, no patch");

    // It answers again: one merge patch removes the annotation; healthy passes cost nothing again.
    status = 200;
    clock.advance(Duration.ofMinutes(31));
    long completed = check.stats().completed();
    pass(completed + 1);
    Await.until(() -> annotation("m-0") == null);
    assertEquals(List.of("PATCH /api/v1/nodes/m-0"), requests());
    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofMinutes(31));
      pass(completed + 1 + i);
    }
    assertEquals(List.of(), requests());
  }

  @Test
  void aPassNeverWaitsForProbes() throws Exception {
    for (int i = 0; i < 20; i++) {
      client.nodes().resource(master("m-" + i, "127.0.0.1")).create();
    }
    hang = true;
    startDetector("timeout: 1s, concurrency: 5");

    long started = System.nanoTime();
    PassSummary summary = detector.passNow().get(10, TimeUnit.SECONDS);
    awaitProbes(20);
    long probesMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // 20 probes that get no answer for 1s, on 5 slots: 4 rounds; the pass does not wait for them.
    assertTrue(summary.wallTime().toMillis() < 1_000, summary.toString());
    assertEquals(20, summary.nodes());
    assertTrue(probesMillis >= 3_500, "probes took " + probesMillis + "ms");
    assertEquals(20, check.stats().timedOut(), check.stats().toString());
  }

  @Test
  void aNodeWithoutInternalIpIsNeitherHealthyNorUnhealthy() throws Exception {
    client.nodes().resource(master("m-0", null)).create();
    startDetector("unhealthy-duration: 0s");

    PassSummary summary = detector.passNow().get(10, TimeUnit.SECONDS);

    assertEquals(1, summary.unknown(), summary.toString());
    assertEquals(0, summary.healthy());
    assertEquals(0, summary.unhealthy());
    assertEquals(0, check.stats().submitted());
  }

  @Test
  void theHealthIsUnknownWhileTheApiCannotBeRead() throws Exception {
    // A server of its own, to be stopped under the detector's feet.
    KubernetesMockServer own = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    own.init();
    try (KubernetesClient ownClient = own.createClient()) {
      ownClient.nodes().resource(master("m-0", "127.0.0.1")).create();
      startDetector("", ownClient);
      assertTrue(detector.passNow().get(10, TimeUnit.SECONDS).apiReadable());
      assertEquals(HealthStatus.HEALTHY, lastReport().status());

      own.destroy();
      Await.until(() -> !detector.passNow().join().apiReadable());

      HealthReport report = lastReport();
      assertEquals(HealthStatus.UNKNOWN, report.status());
      assertTrue(report.unhealthyNodes().isEmpty());
      detector.close();
      detector = null;
    }
  }

  private HealthReport lastReport() throws InterruptedException {
    // The reporter sends on its own thread; the newest report is the one that counts.
    HealthReport last = reports.poll(10, TimeUnit.SECONDS);
    if (last == null) {
      throw new AssertionError("no health report");
    }
    HealthReport next;
    while ((next = reports.poll(200, TimeUnit.MILLISECONDS)) != null) {
      last = next;
    }
    return last;
  }

  /** Polls a condition (the informer and the reporter are asynchronous). */
  static final class Await {
    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("condition never held");
        }
        Thread.sleep(20);
      }
    }
  }
}
