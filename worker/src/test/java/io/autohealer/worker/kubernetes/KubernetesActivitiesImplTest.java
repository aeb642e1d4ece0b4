package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.NodeHealth;
import io.autohealer.workflows.activities.KubernetesActivities.RejoinResult;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesActivitiesImplTest {
  private static final Duration POLL = Duration.ofMillis(50);

  KubernetesClient client;
  KubernetesMockServer server;

  private TestActivityEnvironment env;
  private KubernetesActivities activities;
  private final List<String> heartbeats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    // Failure-path tests must not wait for the client's own ~19 s of 5xx retries.
    KubernetesClient noRetry = client.newClient(new RequestConfigBuilder().withRequestRetryBackoffLimit(0).build())
        .adapt(KubernetesClient.class);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new KubernetesActivitiesImpl(noRetry));
    env.setActivityHeartbeatListener(String.class, heartbeats::add);
    activities = env.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(20))
        .setHeartbeatTimeout(Duration.ofSeconds(5))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void inspectReportsReadinessAndCordon() {
    create(node("w1", "default-worker", false, "True"));
    create(new NodeBuilder(node("w2", "default-worker", false, "Unknown")).editSpec().withUnschedulable(true).endSpec().build());
    create(new NodeBuilder().withNewMetadata().withName("fresh").endMetadata().build());

    assertEquals(new NodeHealth(true, true, "True", false), activities.inspectNode(new InspectNode("w1")));
    assertEquals(new NodeHealth(true, false, "Unknown", true), activities.inspectNode(new InspectNode("w2")));
    assertEquals(new NodeHealth(true, false, "Missing", false), activities.inspectNode(new InspectNode("fresh")));
    assertEquals(new NodeHealth(false, false, "Missing", false), activities.inspectNode(new InspectNode("gone")));
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

  private static Node unlabelled(String name, boolean master, String ready) {
    Map<String, String> labels = new java.util.HashMap<>(Map.of(NodeLabels.HOSTNAME, name));
    if (master) {
      labels.put(NodeLabels.MASTER, "");
      labels.put(NodeLabels.CONTROL_PLANE, "");
    }
    return new NodeBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withProviderID("openstack:///" + name).endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).withReason("Test").endCondition().endStatus()
        .build();
  }
}
