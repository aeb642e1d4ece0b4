package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AnnotateNode;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.CountMasters;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.MasterCount;
import io.autohealer.workflows.activities.KubernetesActivities.NodeHealth;
import io.autohealer.workflows.activities.KubernetesActivities.RejoinResult;
import io.autohealer.workflows.activities.KubernetesActivities.Uncordon;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesActivitiesImplTest {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final String W1_SERVER = serverOf("w1");

  KubernetesClient client;
  KubernetesMockServer server;

  private ActivityHarness harness;
  private KubernetesActivities activities;
  private List<String> heartbeats;

  @BeforeEach
  void setUp() {
    // Failure-path tests must not wait for the client's own ~19 s of 5xx retries.
    KubernetesClient noRetry = client.newClient(new RequestConfigBuilder().withRequestRetryBackoffLimit(0).build())
        .adapt(KubernetesClient.class);
    harness = new ActivityHarness(noRetry, KubernetesActivitiesImpl.Settings.defaults());
    activities = harness.activities();
    heartbeats = harness.heartbeats;
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void inspectReportsReadinessAndCordon() {
    create(node("w1", "default-worker", false, "True"));
    create(new NodeBuilder(node("w2", "default-worker", false, "Unknown")).editSpec().withUnschedulable(true).endSpec().build());
    create(new NodeBuilder().withNewMetadata().withName("fresh").endMetadata().build());

    assertEquals(new NodeHealth(true, true, "True", false, W1_SERVER, false, null),
        activities.inspectNode(new InspectNode("w1")));
    NodeHealth w2 = activities.inspectNode(new InspectNode("w2"));
    assertEquals(List.of(true, false, "Unknown", true), List.of(w2.exists(), w2.ready(), w2.readyStatus(), w2.cordoned()));
    assertEquals(new NodeHealth(true, false, "Missing", false, null, false, null),
        activities.inspectNode(new InspectNode("fresh")));
    assertEquals(new NodeHealth(false, false, "Missing", false, null, false, null),
        activities.inspectNode(new InspectNode("gone")));
  }

  @Test
  void inspectReadsTheServerFromProviderIdElseMachineId() {
    create(node("regional", "default-worker", false, "True", "openstack://RegionOne/0B5A3F61-6C52-4D6B-9A51-6D1F3C0E4A10"));
    create(withMachineId(node("kvm", "default-worker", false, "True", null), "1c6b40727d634e7c8b627e2f4d1f5b21"));
    create(withMachineId(node("kwok", "default-worker", false, "True", "kwok://kwok"), "2d7c5183-8e74-4f8d-9c73-8f3a5e206c32"));
    create(withMachineId(node("baremetal", "default-worker", false, "True", null), "not-a-uuid"));

    assertEquals("0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10", activities.inspectNode(new InspectNode("regional")).serverId());
    assertEquals("1c6b4072-7d63-4e7c-8b62-7e2f4d1f5b21", activities.inspectNode(new InspectNode("kvm")).serverId());
    assertEquals("2d7c5183-8e74-4f8d-9c73-8f3a5e206c32", activities.inspectNode(new InspectNode("kwok")).serverId());
    assertNull(activities.inspectNode(new InspectNode("baremetal")).serverId());
  }

  @Test
  void inspectReadsTheOptOutFromLabelOrAnnotation() {
    create(new NodeBuilder(node("by-label", "default-worker", false, "True"))
        .editMetadata().addToLabels(KubernetesActivities.OPT_OUT, "true").endMetadata().build());
    create(new NodeBuilder(node("by-annotation", "default-worker", false, "True"))
        .editMetadata().addToAnnotations(KubernetesActivities.OPT_OUT, "True").endMetadata().build());
    create(new NodeBuilder(node("opted-in", "default-worker", false, "True"))
        .editMetadata().addToLabels(KubernetesActivities.OPT_OUT, "false").endMetadata().build());

    assertTrue(activities.inspectNode(new InspectNode("by-label")).optedOut());
    assertTrue(activities.inspectNode(new InspectNode("by-annotation")).optedOut());
    assertFalse(activities.inspectNode(new InspectNode("opted-in")).optedOut());
    assertFalse(activities.inspectNode(new InspectNode("gone")).optedOut());
  }

  @Test
  void inspectReadsWhenTheHealerLastRebootedTheNode() {
    create(new NodeBuilder(node("rebooted", "default-worker", false, "True"))
        .editMetadata().addToAnnotations(KubernetesActivities.REBOOTED_AT, "2026-11-25T03:04:05.250+01:00").endMetadata()
        .build());
    create(new NodeBuilder(node("edited", "default-worker", false, "True"))
        .editMetadata().addToAnnotations(KubernetesActivities.REBOOTED_AT, "yesterday").endMetadata().build());

    assertEquals(Instant.parse("2026-11-25T02:04:05.250Z"), activities.inspectNode(new InspectNode("rebooted")).rebootedAt());
    assertNull(activities.inspectNode(new InspectNode("edited")).rebootedAt());
  }

  @Test
  void cordonIsIdempotentAndKeepsStatus() {
    create(node("w1", "default-worker", false, "Unknown"));

    assertTrue(activities.cordon(new Cordon("w1")).changed());
    assertFalse(activities.cordon(new Cordon("w1")).changed());

    Node after = client.nodes().withName("w1").get();
    assertTrue(after.getSpec().getUnschedulable());
    assertEquals("Unknown", NodeConditions.readyStatus(after));
    assertEquals(1, after.getStatus().getConditions().size());
  }

  @Test
  void cordonOfMissingNodeFailsForGood() {
    ApplicationFailure failure = applicationFailure(() -> activities.cordon(new Cordon("gone")));
    assertTrue(failure.isNonRetryable());
    assertEquals(KubernetesFailures.NODE_NOT_FOUND, failure.getType());
    assertTrue(failure.getOriginalMessage().contains("gone"), failure.getOriginalMessage());
  }

  @Test
  void forbiddenIsPermanentAndNamesTheCall() {
    server.expect().get().withPath("/api/v1/nodes/w1").andReturn(403, "forbidden").once();

    ApplicationFailure failure = applicationFailure(() -> activities.inspectNode(new InspectNode("w1")));
    assertTrue(failure.isNonRetryable());
    assertEquals(KubernetesFailures.API_ERROR, failure.getType());
    assertTrue(failure.getOriginalMessage().contains("get node w1"), failure.getOriginalMessage());
    assertTrue(failure.getOriginalMessage().contains("403"), failure.getOriginalMessage());
  }

  @Test
  void serverErrorStaysRetryable() {
    create(node("w1", "default-worker", false, "True"));
    server.expect().patch().withPath("/api/v1/nodes/w1").andReturn(503, "overloaded").once();

    ApplicationFailure failure = applicationFailure(() -> activities.cordon(new Cordon("w1")));
    assertFalse(failure.isNonRetryable());
    // the retry (here: the next call) goes through
    assertTrue(activities.cordon(new Cordon("w1")).changed());
  }

  @Test
  void deleteReportsWhetherSomethingWasDeleted() {
    create(node("w1", "default-worker", false, "Unknown"));

    assertTrue(activities.deleteNode(new DeleteNode("w1")).deleted());
    assertNull(client.nodes().withName("w1").get());
    assertFalse(activities.deleteNode(new DeleteNode("w1")).deleted());
  }

  @Test
  void awaitRejoinWaitsForTheReplacementOfTheNodegroup() throws Exception {
    create(node("old", "ng-a", false, "Unknown"));
    create(node("w1", "ng-a", false, "True"));
    create(node("other", "ng-b", false, "True"));

    CompletableFuture<RejoinResult> result = CompletableFuture.supplyAsync(
        () -> activities.awaitRejoin(new AwaitRejoin("ng-a", NodeRole.WORKER, "old", 2, POLL)));

    awaitFirstHeartbeat();
    create(node("new", "ng-a", false, "False"));
    assertFalse(result.isDone());

    makeReady("new");
    assertEquals(List.of("new", "w1"), result.get(10, TimeUnit.SECONDS).readyNodes());
    assertTrue(heartbeats.get(0).contains("1 of 2"), heartbeats.get(0));
  }

  @Test
  void awaitRejoinEndsWhenTheReplacementIsReadyThoughAnotherNodeOfTheNodegroupIsStillBroken() throws Exception {
    // The mock API server stamps creationTimestamp itself, in whole seconds: the replacement is
    // asked for in the second after the others registered, and registers once that second began.
    create(node("old", "ng-a", false, "Unknown"));
    create(node("w1", "ng-a", false, "True"));
    create(node("broken", "ng-a", false, "Unknown"));
    Instant asked = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);

    CompletableFuture<RejoinResult> result = CompletableFuture.supplyAsync(
        () -> activities.awaitRejoin(new AwaitRejoin("ng-a", NodeRole.WORKER, "old", 3, POLL, asked)));

    awaitFirstHeartbeat();
    while (Instant.now().isBefore(asked)) {
      Thread.onSpinWait();
    }
    create(node("new", "ng-a", false, "False"));
    assertFalse(result.isDone());

    makeReady("new");
    // 2 of 3 Ready: the full count never comes while "broken" waits for a repair of its own.
    assertEquals(List.of("new", "w1"), result.get(10, TimeUnit.SECONDS).readyNodes());
  }

  @Test
  void awaitRejoinCountsTheRoleWhenNodesCarryNoNodegroup() {
    create(unlabelled("m0", true, "True"));
    create(unlabelled("m1", true, "True"));
    create(unlabelled("w0", false, "True"));
    create(unlabelled("w1", false, "True"));
    create(unlabelled("w2", false, "True"));

    RejoinResult masters = activities.awaitRejoin(new AwaitRejoin("default-master", NodeRole.MASTER, "m0", 1, POLL));
    assertEquals(List.of("m1"), masters.readyNodes());

    RejoinResult workers = activities.awaitRejoin(new AwaitRejoin(null, NodeRole.WORKER, "w2", 2, POLL));
    assertEquals(List.of("w0", "w1"), workers.readyNodes());
  }

  @Test
  void uncordonIsIdempotentAndKeepsStatus() {
    create(new NodeBuilder(node("w1", "default-worker", false, "True")).editSpec().withUnschedulable(true).endSpec().build());

    assertTrue(activities.uncordon(new Uncordon("w1")).changed());
    assertFalse(activities.uncordon(new Uncordon("w1")).changed());

    Node after = client.nodes().withName("w1").get();
    assertFalse(NodeConditions.isCordoned(after));
    assertEquals(1, after.getStatus().getConditions().size());
  }

  @Test
  void uncordonOfAMissingNodeIsANoOp() {
    assertFalse(activities.uncordon(new Uncordon("gone")).changed());
  }

  @Test
  void uncordonOfANodeDeletedMeanwhileIsANoOp() {
    create(new NodeBuilder(node("w1", "default-worker", false, "True")).editSpec().withUnschedulable(true).endSpec().build());
    server.expect().patch().withPath("/api/v1/nodes/w1").andReturn(404, "{\"kind\":\"Status\",\"code\":404}").once();

    assertFalse(activities.uncordon(new Uncordon("w1")).changed());
  }

  @Test
  void uncordonPatchesInsteadOfWritingBackTheObjectItRead() throws InterruptedException {
    create(new NodeBuilder(node("w1", "default-worker", false, "True")).editSpec().withUnschedulable(true).endSpec().build());

    activities.uncordon(new Uncordon("w1"));

    assertEquals("PATCH", server.getLastRequest().getMethod());
    assertEquals("application/merge-patch+json", server.getLastRequest().getHeader("Content-Type").split(";")[0]);
  }

  @Test
  void annotateSetsAndRemovesAndSaysWhetherAnythingChanged() {
    create(new NodeBuilder(node("w1", "default-worker", false, "True"))
        .editMetadata().addToAnnotations("keep", "me").addToAnnotations(KubernetesActivities.REPAIR_FAILED, "old").endMetadata()
        .build());
    Map<String, String> changes = new HashMap<>();
    changes.put(KubernetesActivities.REBOOTED_AT, "2026-11-25T02:04:05Z");
    changes.put(KubernetesActivities.REPAIR_FAILED, null);

    assertTrue(activities.annotateNode(new AnnotateNode("w1", changes)).changed());
    assertFalse(activities.annotateNode(new AnnotateNode("w1", changes)).changed(), "already so");

    // The mock keeps a merge patch's nulls as values (RFC 7386, and the apiserver, remove the key).
    Map<String, String> annotations = new HashMap<>(client.nodes().withName("w1").get().getMetadata().getAnnotations());
    annotations.values().removeIf(Objects::isNull);
    assertEquals(Map.of("keep", "me", KubernetesActivities.REBOOTED_AT, "2026-11-25T02:04:05Z"), annotations);
    assertFalse(activities.annotateNode(new AnnotateNode("gone", changes)).changed());
  }

  @Test
  void countMastersFindsEitherRoleLabelAndTheNotReadyOnes() {
    create(node("m0", "default-master", true, "True"));
    Node legacy = node("m1", "default-master", false, "Unknown");
    legacy.getMetadata().getLabels().put(NodeLabels.MASTER, "");
    create(legacy);
    Node kubeadm = node("m2", "default-master", false, "True");
    kubeadm.getMetadata().getLabels().put(NodeLabels.CONTROL_PLANE, "");
    create(kubeadm);
    create(node("w0", "default-worker", false, "False"));

    assertEquals(new MasterCount(3, 2, List.of("m1")), activities.countMasters(new CountMasters()));
  }

  /** The first heartbeat goes out at once; the SDK throttles later ones. */
  private void awaitFirstHeartbeat() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (heartbeats.isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no heartbeat");
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  private static ApplicationFailure applicationFailure(Runnable call) {
    ActivityFailure failure = assertThrows(ActivityFailure.class, call::run);
    return assertInstanceOf(ApplicationFailure.class, failure.getCause());
  }

  private void create(Node node) {
    client.nodes().resource(node).create();
  }

  private void makeReady(String name) {
    client.nodes().withName(name).editStatus(n -> new NodeBuilder(n).editStatus()
        .editMatchingCondition(c -> "Ready".equals(c.getType())).withStatus("True").endCondition()
        .endStatus().build());
  }

  private static Node node(String name, String nodegroup, boolean master, String ready) {
    Node node = unlabelled(name, master, ready);
    node.getMetadata().getLabels().put(NodeLabels.MAGNUM_NODEGROUP, nodegroup);
    return node;
  }

  private static Node node(String name, String nodegroup, boolean master, String ready, String providerId) {
    Node node = node(name, nodegroup, master, ready);
    node.getSpec().setProviderID(providerId);
    return node;
  }

  private static Node withMachineId(Node node, String machineId) {
    return new NodeBuilder(node).editStatus().withNewNodeInfo().withMachineID(machineId).endNodeInfo().endStatus().build();
  }

  private static Node unlabelled(String name, boolean master, String ready) {
    Map<String, String> labels = new java.util.HashMap<>(Map.of(NodeLabels.HOSTNAME, name));
    if (master) {
      labels.put(NodeLabels.MASTER, "");
      labels.put(NodeLabels.CONTROL_PLANE, "");
    }
    return new NodeBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withProviderID("openstack:///" + serverOf(name)).endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).withReason("Test").endCondition().endStatus()
        .build();
  }

  /** A server uuid derived from the node name, as the nodes of these tests are backed by. */
  static String serverOf(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
