package io.autohealer.worker.kubernetes;

import static io.autohealer.worker.kubernetes.ActivityHarness.applicationFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitCsiDetach;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.CsiDetachResult;
import io.autohealer.workflows.activities.KubernetesActivities.NodeReadyResult;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpecBuilder;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NodeWaitsTest {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration LONG = Duration.ofSeconds(15);
  private static final String OLD_SERVER = "0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10";
  private static final String NEW_SERVER = "1c6b4072-7d63-4e7c-8b62-7e2f4d1f5b21";

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
  void aReadyNodeAnswersAtOnceWithItsServer() {
    create(node("w1", OLD_SERVER, "True"));

    assertEquals(new NodeReadyResult(true, OLD_SERVER),
        activities.awaitNodeReady(new AwaitNodeReady("w1", null, LONG, POLL)));
  }

  @Test
  void aRebuiltMasterCountsOnlyOnceItsNewServerIsReady() throws Exception {
    create(node("m0", OLD_SERVER, "True"));

    CompletableFuture<NodeReadyResult> result = CompletableFuture.supplyAsync(
        () -> activities.awaitNodeReady(new AwaitNodeReady("m0", OLD_SERVER.toUpperCase(), LONG, POLL)));
    harness.awaitHeartbeat(h -> h.contains("the old server"));
    assertFalse(result.isDone());

    // The rebuilt server registers under the same name, NotReady at first.
    client.nodes().withName("m0").delete();
    create(node("m0", NEW_SERVER, "False"));
    makeReady("m0");

    assertEquals(new NodeReadyResult(true, NEW_SERVER), result.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aNodeThatIsNotRegisteredYetIsWaitedFor() throws Exception {
    CompletableFuture<NodeReadyResult> result = CompletableFuture.supplyAsync(
        () -> activities.awaitNodeReady(new AwaitNodeReady("w9", null, LONG, POLL)));
    harness.awaitHeartbeat(h -> h.contains("not registered"));

    create(node("w9", NEW_SERVER, "True"));

    assertEquals(new NodeReadyResult(true, NEW_SERVER), result.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aTimeoutIsAnAnswer() {
    create(node("w1", OLD_SERVER, "Unknown"));

    assertEquals(new NodeReadyResult(false, null),
        activities.awaitNodeReady(new AwaitNodeReady("w1", null, Duration.ofMillis(300), POLL)));
  }

  @Test
  void theWaitEndsBeforeTemporalWouldKillTheAttempt() {
    create(node("w1", OLD_SERVER, "Unknown"));
    KubernetesActivities shortAttempt = harness.activities(Duration.ofSeconds(2));

    // Asked to wait an hour in a 2 s attempt: it answers in time instead of being timed out.
    assertEquals(new NodeReadyResult(false, null),
        shortAttempt.awaitNodeReady(new AwaitNodeReady("w1", null, Duration.ofHours(1), POLL)));
  }

  @Test
  void aShortOutageDoesNotEndTheWait() {
    create(node("w1", OLD_SERVER, "True"));
    server.expect().get().withPath("/api/v1/nodes/w1").andReturn(503, "overloaded").times(3);

    assertEquals(new NodeReadyResult(true, OLD_SERVER),
        activities.awaitNodeReady(new AwaitNodeReady("w1", null, LONG, POLL)));
  }

  @Test
  void noAnswerAtAllIsARetryableFailureNotANotReady() {
    server.expect().get().withPath("/api/v1/nodes/w1").andReturn(503, "overloaded").always();

    ApplicationFailure failure = applicationFailure(
        () -> activities.awaitNodeReady(new AwaitNodeReady("w1", null, Duration.ofMillis(300), POLL)));
    assertEquals(KubernetesFailures.UNAVAILABLE, failure.getType());
    assertFalse(failure.isNonRetryable());
  }

  @Test
  void aForbiddenReadFailsForGood() {
    server.expect().get().withPath("/api/v1/nodes/w1").andReturn(403, "forbidden").always();

    ApplicationFailure failure = applicationFailure(
        () -> activities.awaitNodeReady(new AwaitNodeReady("w1", null, LONG, POLL)));
    assertEquals(KubernetesFailures.API_ERROR, failure.getType());
    assertTrue(failure.isNonRetryable());
  }

  @Test
  void csiDetachReportsTheHandlesStillAttachedAtTheTimeout() {
    volume("pv-data", "vol-data");
    attachment("csi-1", "w1", "pv-data", null);
    attachment("csi-2", "w1", null, "vol-inline");
    volume("pv-other", "vol-other");
    attachment("csi-3", "w2", "pv-other", null);

    CsiDetachResult result = activities.awaitCsiDetach(new AwaitCsiDetach("w1", Duration.ofMillis(300), POLL));

    assertEquals(List.of("vol-data", "vol-inline"), result.stillAttached());
  }

  @Test
  void csiDetachWaitsUntilTheAttachmentsAreGone() throws Exception {
    volume("pv-data", "vol-data");
    attachment("csi-1", "w1", "pv-data", null);
    attachment("csi-3", "w2", null, "vol-other");

    CompletableFuture<CsiDetachResult> result = CompletableFuture.supplyAsync(
        () -> activities.awaitCsiDetach(new AwaitCsiDetach("w1", LONG, POLL)));
    harness.awaitHeartbeat(h -> h.contains("1 CSI volumes still attached to w1: [vol-data]"));
    assertFalse(result.isDone());

    client.storage().v1().volumeAttachments().withName("csi-1").delete();

    assertEquals(List.of(), result.get(10, TimeUnit.SECONDS).stillAttached());
  }

  @Test
  void csiDetachOfANodeWithoutAttachmentsAnswersAtOnce() {
    attachment("csi-3", "w2", null, "vol-other");

    assertEquals(List.of(), activities.awaitCsiDetach(new AwaitCsiDetach("w1", LONG, POLL)).stillAttached());
  }

  private void create(Node node) {
    client.nodes().resource(node).create();
  }

  private void makeReady(String name) {
    client.nodes().withName(name).editStatus(n -> new NodeBuilder(n).editStatus()
        .editMatchingCondition(c -> "Ready".equals(c.getType())).withStatus("True").endCondition()
        .endStatus().build());
  }

  private void volume(String name, String handle) {
    client.persistentVolumes().resource(new PersistentVolumeBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNewCsi().withDriver("cinder.csi.openstack.org").withVolumeHandle(handle).endCsi().endSpec()
        .build()).create();
  }

  /** An attachment of a PersistentVolume, or (pv null) of a migrated inline volume. */
  private void attachment(String name, String node, String pv, String inlineHandle) {
    PersistentVolumeSpec inline = pv != null ? null : new PersistentVolumeSpecBuilder()
        .withNewCsi().withDriver("cinder.csi.openstack.org").withVolumeHandle(inlineHandle).endCsi().build();
    VolumeAttachment attachment = new VolumeAttachmentBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withAttacher("cinder.csi.openstack.org").withNodeName(node).withNewSource()
        .withPersistentVolumeName(pv).withInlineVolumeSpec(inline).endSource().endSpec()
        .withNewStatus().withAttached(true).endStatus()
        .build();
    client.storage().v1().volumeAttachments().resource(attachment).create();
  }

  private static Node node(String name, String serverId, String ready) {
    return new NodeBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withProviderID("openstack:///" + serverId).endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus()
        .build();
  }
}
