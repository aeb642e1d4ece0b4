package io.autohealer.detector.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigException;
import io.autohealer.config.HealthCheckParams;
import io.autohealer.detector.CheckResult;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Endpoint check's semantics against a local HTTP(S) server, with explicit times. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndpointCheckTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final String ANNOTATION = EndpointSettings.DEFAULT_ANNOTATION;

  @TempDir Path dir;
  private final FakeContext context = new FakeContext();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private ProbeTarget target() throws IOException {
    ProbeTarget target = ProbeTarget.http();
    closing.add(target);
    return target;
  }

  private EndpointCheck check(String params) {
    EndpointCheck check = (EndpointCheck) new EndpointCheckFactory()
        .create(HealthCheckParams.ofYaml("healthcheck.master[0].params", params));
    check.start(context);
    closing.add(check::close);
    return check;
  }

  private EndpointCheck check(ProbeTarget target, String extra) {
    return check("{protocol: http, port: " + target.port() + (extra.isEmpty() ? "" : ", " + extra) + "}");
  }

  static Node node(String name, String internalIp, Map<String, String> annotations) {
    NodeBuilder builder = new NodeBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
        .withNewStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus();
    if (internalIp != null) {
      builder.editStatus().addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress().endStatus();
    }
    return builder.build();
  }

  static Node node(String internalIp) {
    return node("m-0", internalIp, Map.of());
  }

  /** Waits until {@code count} probes have completed. */
  private static void awaitProbes(EndpointCheck check, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (check.stats().completed() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("probes did not complete: " + check.stats());
      }
      Thread.sleep(5);
    }
  }

  @Test
  void anOkCodeIsHealthyAndNothingIsWritten() throws Exception {
    ProbeTarget target = target();
    EndpointCheck check = check(target, "");

    assertEquals(CheckResult.healthy(), check.check(node("127.0.0.1"), T0), "the first probe is under way");
    awaitProbes(check, 1);
    assertEquals(CheckResult.healthy(), check.check(node("127.0.0.1"), T0.plusSeconds(1)));

    assertEquals(List.of("/healthz"), target.paths);
    assertEquals(List.of(""), target.authorizations, "no token unless require-token");
    assertEquals(List.of(), context.annotations);
    assertTrue(context.rechecks.isEmpty(), "no re-check when nothing changed");
  }

  @Test
  void aCodeOutsideOkCodesFailsAndListedCodesPass() throws Exception {
    ProbeTarget target = target();
    target.status = 503;
    EndpointCheck strict = check(target, "unhealthy-duration: 0s");
    strict.check(node("127.0.0.1"), T0);
    context.awaitRecheck();
    CheckResult result = strict.check(node("127.0.0.1"), T0.plusSeconds(1));
    CheckResult.Unhealthy unhealthy = assertInstanceOf(CheckResult.Unhealthy.class, result);
    assertTrue(unhealthy.reason().contains("answered 503"), unhealthy.reason());

    EndpointCheck lenient = check(target, "ok-codes: [200, 503]");
    lenient.check(node("127.0.0.1"), T0);
    awaitProbes(lenient, 1);
    assertEquals(CheckResult.healthy(), lenient.check(node("127.0.0.1"), T0.plusSeconds(1)));
  }

  @Test
  void everyEndpointMustAnswerAndTheLeadingSlashIsOptional() throws Exception {
    ProbeTarget target = target();
    EndpointCheck check = check(target, "endpoints: [healthz, '/livez?verbose']");
    check.check(node("127.0.0.1"), T0);
    awaitProbes(check, 1);

    assertEquals(List.of("/healthz", "/livez?verbose"), target.paths);
  }

  @Test
  void noAnswerWithinTheTimeoutFails() throws Exception {
    ProbeTarget target = target();
    target.hang = true;
    EndpointCheck check = check(target, "timeout: 300ms, unhealthy-duration: 0s");

    long started = System.nanoTime();
    check.check(node("127.0.0.1"), T0);
    context.awaitRecheck();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    CheckResult.Unhealthy result =
        assertInstanceOf(CheckResult.Unhealthy.class, check.check(node("127.0.0.1"), T0.plusSeconds(1)));
    assertTrue(result.reason().contains("no answer within 300ms"), result.reason());
    assertTrue(tookMillis >= 250 && tookMillis < 5_000, "took " + tookMillis + "ms");
    assertEquals(1, check.stats().timedOut());
  }

  @Test
  void aRefusedConnectionFails() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    EndpointCheck check = check("{protocol: http, port: " + closedPort + ", unhealthy-duration: 0s}");
    check.check(node("127.0.0.1"), T0);
    context.awaitRecheck();

    CheckResult.Unhealthy result =
        assertInstanceOf(CheckResult.Unhealthy.class, check.check(node("127.0.0.1"), T0.plusSeconds(1)));
    assertTrue(result.reason().toLowerCase().contains("refused"), result.reason());
  }

  @Test
  void failsOnlyAfterTheUnhealthyDurationAndAFreshConfirmingProbe() throws Exception {
    ProbeTarget target = target();
    target.status = 500;
    context.monitorInterval = Duration.ofSeconds(60);
    EndpointCheck check = check(target, "unhealthy-duration: 2m");

    check.check(node("127.0.0.1"), T0);
    context.awaitRecheck(); // healthy -> failing
    CheckResult.Pending pending =
        assertInstanceOf(CheckResult.Pending.class, check.check(node("127.0.0.1"), T0.plusSeconds(10)));
    assertEquals(T0.plus(Duration.ofMinutes(2)), pending.due());
    assertEquals(List.of("m-0 " + ANNOTATION + "=2026-11-25 10:00:00"), context.annotations,
        "written once, when failing begins, in Go's format (UTC)");

    // A periodic probe at half the monitor interval: still failing, still pending, nothing written.
    check.check(node("127.0.0.1"), T0.plusSeconds(30));
    awaitProbes(check, 2);
    assertInstanceOf(CheckResult.Pending.class, check.check(node("127.0.0.1"), T0.plusSeconds(40)));

    // The duration is over, but the last failure is older: a new probe confirms first.
    CheckResult confirming = check.check(node("127.0.0.1"), T0.plus(Duration.ofMinutes(2)));
    assertInstanceOf(CheckResult.Pending.class, confirming);
    assertTrue(((CheckResult.Pending) confirming).reason().contains("confirming"), confirming.toString());
    context.awaitRecheck();
    CheckResult.Unhealthy unhealthy = assertInstanceOf(CheckResult.Unhealthy.class,
        check.check(node("127.0.0.1"), T0.plus(Duration.ofMinutes(2)).plusSeconds(1)));
    assertTrue(unhealthy.reason().endsWith("for 2m1s"), unhealthy.reason());
    assertEquals(1, context.annotations.size());
  }

  @Test
  void recoveryClearsTheFailureAndRemovesTheAnnotationOnce() throws Exception {
    ProbeTarget target = target();
    target.status = 500;
    EndpointCheck check = check(target, "unhealthy-duration: 5m");
    check.check(node("127.0.0.1"), T0);
    context.awaitRecheck();

    target.status = 200;
    check.check(node("m-0", "127.0.0.1", Map.of(ANNOTATION, "2026-11-25 10:00:00")), T0.plusSeconds(31));
    context.awaitRecheck(); // failing -> answering
    assertEquals(CheckResult.healthy(), check.check(node("127.0.0.1"), T0.plusSeconds(40)));
    check.check(node("127.0.0.1"), T0.plusSeconds(80));
    awaitProbes(check, 3);

    assertEquals(List.of("m-0 " + ANNOTATION + "=2026-11-25 10:00:00", "m-0 " + ANNOTATION + "-"),
        context.annotations);
  }

  @Test
  void aFailureResumesFromTheAnnotationLeftByAnEarlierLeader() throws Exception {
    ProbeTarget target = target();
    target.status = 500;
    EndpointCheck check = check(target, "unhealthy-duration: 5m");
    Node annotated = node("m-0", "127.0.0.1", Map.of(ANNOTATION, "2026-11-25 09:56:00"));

    check.check(annotated, T0);
    context.awaitRecheck();
    CheckResult.Pending pending = assertInstanceOf(CheckResult.Pending.class, check.check(annotated, T0.plusSeconds(1)));

    assertEquals(Instant.parse("2026-11-25T10:01:00Z"), pending.due());
    assertEquals(List.of(), context.annotations, "already there: not written again");
  }

  @Test
  void aStaleAnnotationOfAHealthyNodeIsRemovedOnce() throws Exception {
    ProbeTarget target = target();
    EndpointCheck check = check(target, "");
    Node annotated = node("m-0", "127.0.0.1", Map.of(ANNOTATION, "2026-11-25 09:00:00"));

    check.check(annotated, T0);
    awaitProbes(check, 1);
    check.check(annotated, T0.plusSeconds(31)); // the cache may lag behind the patch
    awaitProbes(check, 2);

    assertEquals(List.of("m-0 " + ANNOTATION + "-"), context.annotations);
  }

  @Test
  void theConfiguredTokenIsSentWhenRequired() throws Exception {
    ProbeTarget target = target();
    EndpointCheck check = check(target, "require-token: true, token: s3cret");
    check.check(node("127.0.0.1"), T0);
    awaitProbes(check, 1);

    assertEquals(List.of("Bearer s3cret"), target.authorizations);
  }

  @Test
  void theTokenFileIsReadOnceAndAgainWhenItChanges() throws Exception {
    ProbeTarget target = target();
    Path file = Files.writeString(dir.resolve("token"), "first-token\n");
    EndpointSettings settings = EndpointCheckFactory.settings(HealthCheckParams.ofYaml("p",
        "{protocol: http, port: " + target.port() + ", require-token: true, token-file: '" + file + "'}"));
    BearerToken token = BearerToken.file(file, Duration.ZERO);
    EndpointCheck check = new EndpointCheck(settings, "test", token);
    check.start(context);
    closing.add(check::close);

    check.check(node("127.0.0.1"), T0);
    awaitProbes(check, 1);
    check.check(node("127.0.0.1"), T0.plusSeconds(31));
    awaitProbes(check, 2);
    assertEquals(1, token.reads(), "unchanged: read once");

    // kubelet rotates a projected token by replacing the file
    Path next = Files.writeString(dir.resolve("token.next"), "second-token");
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    check.check(node("127.0.0.1"), T0.plusSeconds(62));
    awaitProbes(check, 3);

    assertEquals(List.of("Bearer first-token", "Bearer first-token", "Bearer second-token"), target.authorizations);
    assertEquals(2, token.reads());
  }

  @Test
  void anUnreadableTokenCannotJudgeTheNode() throws Exception {
    ProbeTarget target = target();
    EndpointCheck check = check(target, "require-token: true, token-file: " + dir.resolve("missing"));
    check.check(node("127.0.0.1"), T0);
    context.awaitRecheck();

    CheckResult.Unknown unknown =
        assertInstanceOf(CheckResult.Unknown.class, check.check(node("127.0.0.1"), T0.plusSeconds(1)));
    assertTrue(unknown.reason().contains("cannot be read"), unknown.reason());
    assertEquals(List.of(), target.paths, "nothing sent without the token");
  }

  @Test
  void aNodeWithoutInternalIpCannotBeJudged() {
    EndpointCheck check = check("{}");

    CheckResult.Unknown unknown = assertInstanceOf(CheckResult.Unknown.class, check.check(node(null), T0));
    assertInstanceOf(CheckResult.Unknown.class, check.check(node(null), T0.plusSeconds(60)));

    assertTrue(unknown.reason().contains("InternalIP"), unknown.reason());
    assertEquals(0, check.stats().submitted());
  }

  @Test
  void httpsIsProbedWithoutVerifyingTheCertificate() throws Exception {
    ProbeTarget target = ProbeTarget.https(dir);
    closing.add(target);
    EndpointCheck check = check("{protocol: HTTPS, port: " + target.port() + "}");
    check.check(node("127.0.0.1"), T0);
    awaitProbes(check, 1);

    assertEquals(1, check.stats().ok(), check.stats().toString());
    assertEquals(List.of("/healthz"), target.paths);
  }

  @Test
  void probesRunOnTheBoundedPoolAndCheckNeverWaits() throws Exception {
    ProbeTarget target = target();
    target.hang = true;
    EndpointCheck check = check(target, "timeout: 1s, concurrency: 2");

    long started = System.nanoTime();
    for (int i = 0; i < 6; i++) {
      check.check(node("n-" + i, "127.0.0.1", Map.of()), T0);
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    Thread.sleep(200);
    ProbeStats running = check.stats();
    awaitProbes(check, 6);

    assertTrue(tookMillis < 500, "check() took " + tookMillis + "ms");
    assertEquals(2, running.running(), running.toString());
    assertEquals(4, running.queued(), running.toString());
    assertEquals(6, check.stats().timedOut());
  }

  @Test
  void invalidParamsAreConfigErrorsNamingTheKey() {
    assertEquals("healthcheck.master[0].params.protocol: unsupported \"tcp\" (expected http or https)",
        assertThrows(ConfigException.class, () -> check("{protocol: tcp}")).getMessage());
    assertEquals("healthcheck.master[0].params.ok-codes: 42 is not an HTTP status code (expected 100 to 599)",
        assertThrows(ConfigException.class, () -> check("{ok-codes: [42]}")).getMessage());
    assertEquals("healthcheck.master[0].params.concurrency: 0 is out of range (expected 1 to 256)",
        assertThrows(ConfigException.class, () -> check("{concurrency: 0}")).getMessage());
    assertEquals("healthcheck.master[0].params.timeout: must be more than 0 (e.g. 5s)",
        assertThrows(ConfigException.class, () -> check("{timeout: 0s}")).getMessage());
  }

  @Test
  void goDefaults() {
    EndpointSettings settings = EndpointCheckFactory.settings(HealthCheckParams.ofYaml("p", "{}"));

    assertEquals(EndpointSettings.defaults("https", 6443), settings);
  }

  @Test
  void goTimestampsParseAsUtc() {
    assertEquals(Instant.parse("2026-11-25T09:56:00Z"), EndpointCheck.parseTimestamp("2026-11-25 09:56:00"));
    assertEquals(Instant.parse("2026-11-25T09:56:00Z"), EndpointCheck.parseTimestamp("2026-11-25T10:56:00+01:00"));
    assertEquals(null, EndpointCheck.parseTimestamp("yesterday"));
  }
}
