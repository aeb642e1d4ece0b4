package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autohealer.simulator.openstack.Await;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.HealthReport.UnhealthyNode;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.HealthReportActivities;
import io.autohealer.workflows.activities.HealthReportActivities.HealthReported;
import io.autohealer.workflows.activities.HealthReportActivities.ReportHealth;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Magnum health PATCH against the simulated OpenStack, and the Go format of the reason. */
class HealthReportActivitiesImplTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant AT = Instant.parse("2026-11-25T10:04:05.123400Z");

  private OpenStackSimulator sim;
  private SimulatedCluster cluster;
  private TestActivityEnvironment env;
  private HealthReportActivities activities;

  @BeforeEach
  void setUp() {
    sim = new OpenStackSimulator(new CloudWorld(new SimTiming(500))).start();
    cluster = sim.newCluster("k8s").masters(3).workers(3).create();
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new HealthReportActivitiesImpl(new OpenStackSession(SimulatorCredentials.byIds(sim))));
    activities = env.newActivityStub(HealthReportActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    sim.close();
  }

  private void awaitApplied(String status, String reasonText) {
    Await.until("Magnum shows " + status, WAIT,
        () -> status.equals(cluster.healthStatus()) && reasonText.equals(cluster.healthStatusReasonText()));
  }

  @Test
  void healthyIsExactlyTheGoReason() {
    HealthReported sent = activities.reportHealth(new ReportHealth("k8s", HealthReport.of(List.of(), AT)));

    String expected = "{'api':'ok','nodes':'ok','updated_at':'2026-11-25 10:04:05.1234 +0000 UTC'}";
    assertEquals(new HealthReported("HEALTHY", expected), sent);
    awaitApplied("HEALTHY", expected);
    ObjectNode stored = cluster.healthStatusReason();
    assertEquals("ok", stored.path("api").asText());
    assertEquals("ok", stored.path("nodes").asText());
    assertEquals(1, sim.calls("magnum.cluster.patch"));
  }

  @Test
  void unhealthyListsWorkersAsGoDoesAndMastersToo() {
    HealthReport report = HealthReport.of(List.of(
        new UnhealthyNode("k8s-node-1", NodeRole.WORKER, "NodeConditionCheck"),
        new UnhealthyNode("k8s-master-0", NodeRole.MASTER, "EndpointCheck")), AT.plusNanos(600));

    HealthReported sent = activities.reportHealth(new ReportHealth(cluster.uuid(), report));

    String expected = "{'api':'error','k8s-master-0.EndpointCheck':'error','k8s-node-1.NodeConditionCheck':'error',"
        + "'updated_at':'2026-11-25 10:04:05.1234006 +0000 UTC'}";
    assertEquals(expected, sent.reason());
    awaitApplied("UNHEALTHY", expected);
    ObjectNode stored = cluster.healthStatusReason();
    assertEquals("error", stored.path("k8s-master-0.EndpointCheck").asText());
    assertEquals("error", stored.path("k8s-node-1.NodeConditionCheck").asText());
  }

  @Test
  void workersOnlyIsByteForByteGo() {
    HealthReport report = HealthReport.of(
        List.of(new UnhealthyNode("k8s-node-1", NodeRole.WORKER, "NodeConditionCheck")),
        Instant.parse("2026-11-25T10:04:05Z"));

    HealthReported sent = activities.reportHealth(new ReportHealth("k8s", report));

    assertEquals("{'k8s-node-1.NodeConditionCheck':'error','updated_at':'2026-11-25 10:04:05 +0000 UTC'}",
        sent.reason());
  }

  @Test
  void unknownWhenTheKubernetesApiCannotBeRead() {
    HealthReported sent = activities.reportHealth(new ReportHealth("k8s", HealthReport.unknown(AT)));

    String expected = "{'api':'unknown','nodes':'unknown','updated_at':'2026-11-25 10:04:05.1234 +0000 UTC'}";
    assertEquals(expected, sent.reason());
    awaitApplied("UNKNOWN", expected);
  }

  @Test
  void anUnknownClusterIsNotRetried() {
    ActivityFailure failure = assertThrows(ActivityFailure.class,
        () -> activities.reportHealth(new ReportHealth("nope", HealthReport.of(List.of(), AT))));

    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
    assertTrue(cause.isNonRetryable(), cause.toString());
    assertTrue(cause.getOriginalMessage().contains("HTTP 404"), cause.getOriginalMessage());
  }

  @Test
  void aServerErrorIsRetryable() {
    sim.faults().failNext("magnum.cluster.patch", 1, 503);

    ActivityFailure failure = assertThrows(ActivityFailure.class,
        () -> activities.reportHealth(new ReportHealth("k8s", HealthReport.of(List.of(), AT))));

    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
    assertFalse(cause.isNonRetryable(), cause.toString());
    assertEquals("UNKNOWN", cluster.healthStatus(), "nothing was applied");
  }
}
