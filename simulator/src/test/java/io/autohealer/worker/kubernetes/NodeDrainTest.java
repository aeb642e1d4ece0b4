package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.kubernetes.ApiCallLog;
import io.autohealer.simulator.kubernetes.ApiInterceptor;
import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.DrainResult;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * drainNode against the simulated API, whose Eviction API honours PodDisruptionBudgets and whose
 * pods on a node with a silent kubelet (Ready=Unknown) stay terminating until deleted with no
 * grace period.
 */
class NodeDrainTest {
  private static final String APPS = "apps";
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration NOT_READY_GRACE = Duration.ofMillis(300);

  private KubernetesSimulator simulator;
  /** The worker's client, built as WorkerMain builds it (the client's own retries on). */
  private KubernetesClient client;
  private final ApiCallLog calls = new ApiCallLog();
  private DrainHarness harness;
  private KubernetesActivities activities;

  @BeforeEach
  void setUp() {
    simulator = KubernetesSimulator.start(0);
    simulator.addInterceptor(calls);
    client = new KubernetesClientBuilder().withConfig(simulator.clientConfig()).build();
    harness = new DrainHarness(client, NOT_READY_GRACE);
    activities = harness.activities(Duration.ofSeconds(30));
    node("w1", "True");
    node("w2", "True");
  }

  @AfterEach
  void tearDown() {
    harness.close();
    client.close();
    simulator.close();
  }

  @Test
  void evictsWhatMustGoAndLeavesDaemonSetMirrorAndFinishedPods() {
    replicaSet("web", 2);
    pod(APPS, "web-a", "w1", "ReplicaSet", "web");
    pod(APPS, "web-b", "w2", "ReplicaSet", "web");
    pod("default", "standalone", "w1", null, null);
    pod("kube-system", "csi-cinder-nodeplugin-w1", "w1", "DaemonSet", "csi-cinder-nodeplugin");
    create(new PodBuilder(newPod("kube-system", "kube-apiserver-w1", "w1", "Node", "w1"))
        .editMetadata().addToAnnotations("kubernetes.io/config.mirror", "3f1c").endMetadata().build());
    create(new PodBuilder(newPod("batch", "report-29311", "w1", "Job", "report"))
        .editStatus().withPhase("Succeeded").endStatus().build());

    DrainResult result = activities.drainNode(new Drain("w1", TIMEOUT, POLL));

    assertEquals(List.of("apps/web-a", "default/standalone"), result.evicted());
    assertEquals(List.of("batch/report-29311", "kube-system/csi-cinder-nodeplugin-w1", "kube-system/kube-apiserver-w1"),
        result.skipped());
    assertEquals(List.of(), result.remaining());
    assertFalse(result.timedOut());
    assertNull(client.pods().inNamespace(APPS).withName("web-a").get());
    assertNotNull(client.pods().inNamespace(APPS).withName("web-b").get(), "other nodes are left alone");
    assertNotNull(client.pods().inNamespace("kube-system").withName("csi-cinder-nodeplugin-w1").get());
    assertNotNull(client.pods().inNamespace("kube-system").withName("kube-apiserver-w1").get());
  }

  @Test
  void aBudgetFirstRefusesAndLaterAllows() throws Exception {
    replicaSet("web", 2);
    budget("web", 1);
    pod(APPS, "web-a", "w1", "ReplicaSet", "web");
    pod(APPS, "web-b", "w1", "ReplicaSet", "web");

    CompletableFuture<DrainResult> drain = CompletableFuture.supplyAsync(
        () -> activities.drainNode(new Drain("w1", TIMEOUT, POLL)));
    String refused = harness.awaitHeartbeat(h -> h.contains("disruption budget"));
    assertTrue(refused.startsWith("drain w1: 1 evicted"), refused);
    assertFalse(drain.isDone());

    // The ReplicaSet's replacement turns Ready on another node: the budget has room again.
    pod(APPS, "web-c", "w2", "ReplicaSet", "web");

    DrainResult result = drain.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("apps/web-a", "apps/web-b"), result.evicted());
    assertEquals(List.of(), result.remaining());
    assertFalse(result.timedOut());
    assertTrue(calls.counts().get("create /pods/eviction") >= 3, "asked again after a 429: " + calls.counts());
  }

  @Test
  void aTimeoutIsAnAnswerThatSaysWhatIsLeft() {
    replicaSet("web", 2);
    budget("web", 0);
    pod(APPS, "web-a", "w1", "ReplicaSet", "web");
    pod(APPS, "web-b", "w1", "ReplicaSet", "web");
    pod(APPS, "lonely", "w1", null, null);

    DrainResult result = activities.drainNode(new Drain("w1", Duration.ofMillis(500), POLL));

    assertTrue(result.timedOut());
    assertEquals(List.of("apps/lonely"), result.evicted());
    assertEquals(List.of("apps/web-a", "apps/web-b"), result.remaining());
  }

  @Test
  void aDrainAnswersBeforeTemporalWouldKillTheAttempt() {
    replicaSet("web", 1);
    budget("web", 0);
    pod(APPS, "web-a", "w1", "ReplicaSet", "web");

    DrainResult result = harness.activities(Duration.ofSeconds(2)).drainNode(new Drain("w1", Duration.ofHours(1), POLL));

    assertTrue(result.timedOut());
    assertEquals(List.of("apps/web-a"), result.remaining());
  }

  @Test
  void podsOfANodeThatIsNotReadyAreDeletedOnceTheirEvictionHadItsGrace() {
    node("w3", "Unknown");
    replicaSet("web", 2);
    budget("web", 1);
    pod(APPS, "web-a", "w3", "ReplicaSet", "web");
    pod(APPS, "web-b", "w2", "ReplicaSet", "web");
    // Deleted before the drain (say, by the taint manager): terminating for good on a silent node.
    pod(APPS, "stuck", "w3", null, null);
    client.pods().inNamespace(APPS).withName("stuck").delete();
    assertNotNull(client.pods().inNamespace(APPS).withName("stuck").get().getMetadata().getDeletionTimestamp());

    long start = System.nanoTime();
    DrainResult result = activities.drainNode(new Drain("w3", TIMEOUT, POLL));

    assertFalse(result.timedOut());
    assertEquals(List.of("apps/stuck", "apps/web-a"), result.evicted());
    assertEquals(List.of(), result.remaining());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "not a wait for the timeout");
    assertNull(client.pods().inNamespace(APPS).withName("web-a").get());
    assertTrue(calls.counts().get("delete /pods") >= 2, calls.counts().toString());
  }

  @Test
  void aFailedDeleteOfAStuckPodIsTriedAgainAtTheNextPoll() {
    node("w3", "Unknown");
    pod(APPS, "lonely", "w3", null, null);
    int[] failures = {1};
    simulator.addInterceptor(request -> "DELETE".equals(request.getMethod()) && !ApiInterceptor.fromSimulator(request)
        && failures[0]-- > 0 ? new MockResponse().setResponseCode(500).setBody("{\"kind\":\"Status\",\"code\":500}") : null);

    DrainResult result = activities.drainNode(new Drain("w3", TIMEOUT, POLL));

    assertEquals(List.of("apps/lonely"), result.evicted());
    assertFalse(result.timedOut());
    assertEquals(2L, calls.counts().get("delete /pods"), "one failed, one done: " + calls.counts());
  }

  @Test
  void anEvictedPodOfAReadyNodeIsLeftToItsKubelet() throws Exception {
    simulator.kubeletsRunning(node -> false); // a kubelet that is slow to end its pods
    pod(APPS, "lonely", "w1", null, null);

    CompletableFuture<DrainResult> drain = CompletableFuture.supplyAsync(
        () -> activities.drainNode(new Drain("w1", TIMEOUT, POLL)));
    harness.awaitHeartbeat(h -> h.contains("1 evicted, 1 left"));
    awaitCalls("get /nodes", 5);
    assertNotNull(client.pods().inNamespace(APPS).withName("lonely").get(), "no forced delete on a Ready node");
    assertNull(calls.counts().get("delete /pods"));

    simulator.kubeletsRunning(node -> true);
    client.pods().inNamespace(APPS).withName("lonely").withGracePeriod(0).delete(); // the kubelet ends it

    assertEquals(List.of(), drain.get(10, TimeUnit.SECONDS).remaining());
  }

  @Test
  void aForbiddenEvictionFailsTheDrainForGood() {
    pod(APPS, "lonely", "w1", null, null);
    simulator.addInterceptor(request -> request.getPath().endsWith("/eviction") && !ApiInterceptor.fromSimulator(request)
        ? new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"code\":403,\"message\":\"forbidden\"}")
        : null);

    ActivityFailure failure = assertThrows(ActivityFailure.class,
        () -> activities.drainNode(new Drain("w1", TIMEOUT, POLL)));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
    assertTrue(cause.isNonRetryable());
    assertTrue(cause.getOriginalMessage().contains("evict pod apps/lonely"), cause.getOriginalMessage());
  }

  @Test
  void aDrainRidesOutAShortOutage() {
    pod(APPS, "lonely", "w1", null, null);
    int[] failures = {2};
    simulator.addInterceptor(request -> request.getPath().startsWith("/api/v1/pods") && !ApiInterceptor.fromSimulator(request)
        && failures[0]-- > 0 ? new MockResponse().setResponseCode(503).setBody("{\"kind\":\"Status\",\"code\":503}") : null);

    DrainResult result = activities.drainNode(new Drain("w1", TIMEOUT, POLL));

    assertEquals(List.of("apps/lonely"), result.evicted());
  }

  private void awaitCalls(String call, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (calls.counts().getOrDefault(call, 0L) < count) {
      assertTrue(System.nanoTime() < deadline, "only " + calls.counts());
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  private void node(String name, String ready) {
    simulator.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus()
        .build()).create();
  }

  private void replicaSet(String name, int replicas) {
    simulator.client().apps().replicaSets().inNamespace(APPS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(name).withNamespace(APPS).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector().endSpec()
        .build()).create();
  }

  private void budget(String app, int maxUnavailable) {
    simulator.client().policy().v1().podDisruptionBudget().inNamespace(APPS).resource(new PodDisruptionBudgetBuilder()
        .withNewMetadata().withName(app).withNamespace(APPS).endMetadata()
        .withNewSpec().withMaxUnavailable(new IntOrString(maxUnavailable))
        .withNewSelector().addToMatchLabels("app", app).endSelector().endSpec()
        .build()).create();
  }

  private void pod(String namespace, String name, String node, String ownerKind, String owner) {
    create(newPod(namespace, name, node, ownerKind, owner));
  }

  private void create(Pod pod) {
    simulator.client().pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
  }

  /** A Running, Ready pod on {@code node}, controlled by {@code ownerKind/owner} (none when null). */
  private static Pod newPod(String namespace, String name, String node, String ownerKind, String owner) {
    PodBuilder pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("pause").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
    if (owner != null) {
      pod.editMetadata().addToLabels("app", owner)
          .addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind).withName(owner).withUid(owner + "-uid")
          .withController(true).endOwnerReference().endMetadata();
    }
    return pod.build();
  }
}
