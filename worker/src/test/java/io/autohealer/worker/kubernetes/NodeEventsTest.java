package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.RecordEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NodeEventsTest {
  KubernetesClient client;
  KubernetesMockServer server;

  private ActivityHarness harness;
  private KubernetesActivities activities;

  @BeforeEach
  void setUp() {
    KubernetesClient noRetry = client.newClient(new RequestConfigBuilder().withRequestRetryBackoffLimit(0).build())
        .adapt(KubernetesClient.class);
    harness = new ActivityHarness(noRetry, KubernetesActivitiesImpl.Settings.defaults());
    activities = harness.activities();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void theEventIsAboutTheNodeAndShowsWhereKubectlLooks() {
    Node node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName("w1").endMetadata().build()).create();
    Instant before = Instant.now().minusSeconds(1);

    assertTrue(activities.recordEvent(new RecordEvent("w1", "Warning", "RepairStarted",
        "Repairing node w1: NodeCondition Ready=Unknown for 5m")).recorded());

    Event event = single(events());
    assertEquals("default", event.getMetadata().getNamespace());
    assertTrue(event.getMetadata().getName().startsWith("w1."), event.getMetadata().getName());
    assertEquals("v1", event.getInvolvedObject().getApiVersion());
    assertEquals("Node", event.getInvolvedObject().getKind());
    assertEquals("w1", event.getInvolvedObject().getName());
    assertEquals(node.getMetadata().getUid(), event.getInvolvedObject().getUid());
    assertNull(event.getInvolvedObject().getNamespace());
    assertEquals("Warning", event.getType());
    assertEquals("RepairStarted", event.getReason());
    assertEquals("Repairing node w1: NodeCondition Ready=Unknown for 5m", event.getMessage());
    assertEquals("magnum-autohealer", event.getSource().getComponent());
    assertEquals("magnum-autohealer", event.getReportingComponent());
    assertNotNull(event.getReportingInstance());
    assertEquals(1, event.getCount());
    assertFalse(Instant.parse(event.getFirstTimestamp()).isBefore(before));
    assertEquals(event.getFirstTimestamp(), event.getLastTimestamp());
  }

  @Test
  void aGoneNodeStillGetsItsEventWithoutUid() {
    assertTrue(activities.recordEvent(new RecordEvent("gone", "Normal", "NodeReplaced", "replaced")).recorded());

    Event event = single(events());
    assertEquals("gone", event.getInvolvedObject().getName());
    assertNull(event.getInvolvedObject().getUid());
  }

  @Test
  void typesOtherThanNormalAndWarningAndOverlongMessagesAreMadeAcceptable() {
    activities.recordEvent(new RecordEvent("w1", "Info", "RepairProgress", "x".repeat(5000)));

    Event event = single(events());
    assertEquals("Normal", event.getType());
    assertEquals(1024, event.getMessage().length());
  }

  @Test
  void aFailedWriteIsReportedNotThrown() {
    server.expect().post().withPath("/api/v1/namespaces/default/events").andReturn(403, "forbidden").always();

    assertFalse(activities.recordEvent(new RecordEvent("w1", "Warning", "RepairFailed", "gave up")).recorded());
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("default").list().getItems();
  }

  private static Event single(List<Event> events) {
    assertEquals(1, events.size(), events.toString());
    return events.get(0);
  }
}
