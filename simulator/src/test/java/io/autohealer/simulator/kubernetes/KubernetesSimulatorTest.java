package io.autohealer.simulator.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesSimulatorTest {
  private static final String NS = "apps";

  private KubernetesSimulator simulator;
  /** A client as another process would build it, without the client's own 429/5xx retries. */
  private KubernetesClient external;

  @BeforeEach
  void setUp() {
    simulator = KubernetesSimulator.start(0);
    external = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(simulator.clientConfig()).withRequestRetryBackoffLimit(0).build())
        .build();
  }

  @AfterEach
  void tearDown() {
    external.close();
    simulator.close();
  }

  @Test
  void anotherProcessConnectsThroughTheKubeconfig(@TempDir Path dir) throws Exception {
    assertEquals("http://127.0.0.1:" + simulator.port(), simulator.masterUrl());
    Path kubeconfig = simulator.writeKubeconfig(dir.resolve("sim/kubeconfig"));

    Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
    assertEquals(simulator.masterUrl() + "/", config.getMasterUrl());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
    }
    assertNotNull(simulator.client().nodes().withName("n1").get());
  }

  @Test
  void evictionRespectsMinAvailable() {
    pod("web-0", "web", true);
    pod("web-1", "web", true);
    pod("lonely", "other", true);
    budget(new PodDisruptionBudgetBuilder().withNewSpec().withMinAvailable(new IntOrString(1))
        .withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec());

    assertTrue(evict("lonely"), "no budget covers it");
    assertTrue(evict("web-0"));
    assertNull(external.pods().inNamespace(NS).withName("web-0").get());
    assertFalse(evict("web-1"), "the last healthy pod of the budget stays");
    assertNotNull(external.pods().inNamespace(NS).withName("web-1").get());
  }

  @Test
  void evictionRespectsMaxUnavailablePercentOfTheControllerScale() {
    external.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName("db").withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "db").endSelector().endSpec()
        .build()).create();
    pod("db-0", "db", true);
    pod("db-1", "db", true);
    pod("db-2", "db", false);
    // 34% of 3 replicas rounds up to 2 unavailable: 1 healthy pod needed, 2 healthy now
    budget(new PodDisruptionBudgetBuilder().withNewSpec().withMaxUnavailable(new IntOrString("34%"))
        .withNewSelector().addToMatchLabels("app", "db").endSelector().endSpec());

    assertTrue(evict("db-2"), "an unhealthy pod goes while the budget is met");
    assertTrue(evict("db-0"));
    assertFalse(evict("db-1"), "the scale stays 3 when pods go");
  }

  @Test
  void evictionOfAMissingPodIsNotFound() {
    KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> evict("ghost"));
    assertEquals(404, e.getCode());
  }

  @Test
  void interceptorsInjectFaultsThatSpareTheSimulator() {
    ApiInterceptor outage = request -> ApiInterceptor.fromSimulator(request)
        ? null
        : new MockResponse().setResponseCode(503).setBody("{\"kind\":\"Status\",\"code\":503}");
    simulator.addInterceptor(outage);

    KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> external.nodes().list());
    assertEquals(503, e.getCode());
    assertNotNull(simulator.client().nodes().list());

    simulator.removeInterceptor(outage);
    assertNotNull(external.nodes().list());
  }

  @Test
  void anEvictedPodOfANodeWhoseKubeletIsDownStaysTerminatingUntilDeletedWithNoGrace() {
    node("k8s-node-0", "Unknown");
    pod("web-0", "web", true);

    assertTrue(evict("web-0"), "accepted");

    Pod terminating = external.pods().inNamespace(NS).withName("web-0").get();
    assertNotNull(terminating, "nothing on the node ends it");
    assertNotNull(terminating.getMetadata().getDeletionTimestamp());
    assertEquals(30L, terminating.getMetadata().getDeletionGracePeriodSeconds());
    assertTrue(evict("web-0"), "evicting a terminating pod again is accepted");
    external.pods().inNamespace(NS).withName("web-0").withGracePeriod(30).delete();
    assertNotNull(external.pods().inNamespace(NS).withName("web-0").get(), "a graceful delete does not end it either");

    external.pods().inNamespace(NS).withName("web-0").withGracePeriod(0).delete();
    assertNull(external.pods().inNamespace(NS).withName("web-0").get());
  }

  @Test
  void whoseKubeletRunsCanBeToldBeyondTheNodeStatus() {
    node("k8s-node-0", "True");
    pod("web-0", "web", true);
    simulator.kubeletsRunning(node -> false);
    assertFalse(simulator.isKubeletRunning("k8s-node-0"));

    external.pods().inNamespace(NS).withName("web-0").delete();

    assertNotNull(external.pods().inNamespace(NS).withName("web-0").get().getMetadata().getDeletionTimestamp());
    simulator.kubeletsRunning(node -> true);
    external.pods().inNamespace(NS).withName("web-0").delete();
    assertNull(external.pods().inNamespace(NS).withName("web-0").get());
  }

  @Test
  void anEvictionForAnotherIncarnationOfThePodIsAConflict() {
    node("k8s-node-0", "True");
    pod("db-0", "db", true);
    Eviction stale = new EvictionBuilder().withNewMetadata().withName("db-0").withNamespace(NS).endMetadata()
        .withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid("an-older-uid").endPreconditions().build())
        .build();

    KubernetesClientException e = assertThrows(KubernetesClientException.class,
        () -> external.pods().inNamespace(NS).withName("db-0").evict(stale));
    assertEquals(409, e.getCode());
    assertNotNull(external.pods().inNamespace(NS).withName("db-0").get());
  }

  @Test
  void podsCanBeListedByNode() {
    pod("web-0", "web", true);
    external.pods().inNamespace("other").resource(new PodBuilder()
        .withNewMetadata().withName("elsewhere").withNamespace("other").endMetadata()
        .withNewSpec().withNodeName("k8s-node-1").endSpec().build()).create();

    assertEquals(List.of("web-0"), names(external.pods().inAnyNamespace().withField("spec.nodeName", "k8s-node-0").list()));
    assertEquals(List.of("elsewhere"), names(external.pods().inAnyNamespace().withField("spec.nodeName", "k8s-node-1").list()));
    assertEquals(List.of("elsewhere"),
        names(external.pods().inAnyNamespace().withoutField("spec.nodeName", "k8s-node-0").list()));
    assertEquals(List.of(), names(external.pods().inNamespace("other").withField("spec.nodeName", "k8s-node-0").list()));
  }

  @Test
  void theCallLogNamesCallsAsRbacRulesDo() {
    ApiCallLog log = new ApiCallLog();
    simulator.addInterceptor(log);
    node("k8s-node-0", "True");
    pod("web-0", "web", true);
    evict("web-0");
    external.nodes().withName("k8s-node-0").get();
    external.storage().v1().volumeAttachments().list();
    simulator.client().nodes().list();

    assertEquals(Map.of("create /nodes", 1L, "create /pods", 1L, "create /pods/eviction", 1L, "get /nodes", 1L,
        "list storage.k8s.io/volumeattachments", 1L), log.counts());
    assertEquals("watch /pods", ApiCallLog.describe("GET", "/api/v1/pods?fieldSelector=x&watch=true"));
    assertEquals("deletecollection apps/replicasets", ApiCallLog.describe("DELETE", "/apis/apps/v1/namespaces/a/replicasets"));
    assertEquals("get /namespaces", ApiCallLog.describe("GET", "/api/v1/namespaces/apps"));
    assertEquals("patch /nodes/status", ApiCallLog.describe("PATCH", "/api/v1/nodes/n1/status"));
  }

  private static List<String> names(PodList pods) {
    return pods.getItems().stream().map(p -> p.getMetadata().getName()).sorted().toList();
  }

  private void node(String name, String ready) {
    external.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus()
        .build()).create();
  }

  private boolean evict(String pod) {
    return external.pods().inNamespace(NS).withName(pod).evict();
  }

  private void pod(String name, String app, boolean ready) {
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", app)
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(app).withUid(app)
        .withController(true).endOwnerReference()
        .endMetadata()
        .withNewSpec().withNodeName("k8s-node-0").addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus()
        .build();
    external.pods().inNamespace(NS).resource(pod).create();
  }

  private void budget(PodDisruptionBudgetBuilder budget) {
    PodDisruptionBudget pdb = budget.withNewMetadata().withName("pdb").withNamespace(NS).endMetadata().build();
    external.policy().v1().podDisruptionBudget().inNamespace(NS).resource(pdb).create();
  }
}
