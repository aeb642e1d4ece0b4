package io.autohealer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ClusterPauseStoreTest {
  static KubernetesClient client;

  private static final Instant AT = Instant.parse("2026-11-25T03:00:00Z");

  @Test
  void setCreatesTheConfigMapAndClearRemovesOnlyTheAnnotation() {
    ClusterPauseStore store = new ClusterPauseStore(client, "ops");
    assertEquals(Optional.empty(), store.read());

    store.set(new ClusterPause("alice", "etcd maintenance", AT));

    ConfigMap cm = client.configMaps().inNamespace("ops").withName(ClusterPause.CONFIG_MAP).get();
    assertNotNull(cm);
    String value = cm.getMetadata().getAnnotations().get(ClusterPause.ANNOTATION);
    assertTrue(value.contains("\"by\":\"alice\""), value);
    assertEquals(Optional.of(new ClusterPause("alice", "etcd maintenance", AT)), store.read());

    assertEquals(Optional.of(new ClusterPause("alice", "etcd maintenance", AT)), store.clear());
    assertEquals(Optional.empty(), store.read());
    ConfigMap after = client.configMaps().inNamespace("ops").withName(ClusterPause.CONFIG_MAP).get();
    assertNotNull(after, "the ConfigMap stays");
    assertEquals(Optional.empty(), store.clear(), "clearing twice is fine");
  }

  @Test
  void setKeepsWhatElseTheConfigMapHolds() {
    client.configMaps().inNamespace(ClusterPause.DEFAULT_NAMESPACE).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(ClusterPause.CONFIG_MAP).addToAnnotations("other", "kept").endMetadata()
        .addToData("note", "hello").build()).create();
    ClusterPauseStore store = new ClusterPauseStore(client);

    store.set(new ClusterPause("bob", null, AT));
    store.set(new ClusterPause("carol", "again", AT));

    ConfigMap cm = client.configMaps().inNamespace("kube-system").withName(ClusterPause.CONFIG_MAP).get();
    assertEquals("kept", cm.getMetadata().getAnnotations().get("other"));
    assertEquals("hello", cm.getData().get("note"));
    assertEquals("carol", store.read().orElseThrow().by());
    store.clear();
    assertEquals("kept", client.configMaps().inNamespace("kube-system").withName(ClusterPause.CONFIG_MAP).get()
        .getMetadata().getAnnotations().get("other"));
  }

  @Test
  void handWrittenValuesArePausesExceptEmptyAndFalse() {
    assertEquals(Optional.of(new ClusterPause(null, "etcd maintenance", null)),
        ClusterPause.fromAnnotationValue("etcd maintenance"));
    assertEquals(Optional.of(new ClusterPause(null, "true", null)), ClusterPause.fromAnnotationValue("true"));
    assertEquals(Optional.of(new ClusterPause(null, "{broken", null)), ClusterPause.fromAnnotationValue("{broken"));
    assertFalse(ClusterPause.fromAnnotationValue("").isPresent());
    assertFalse(ClusterPause.fromAnnotationValue(" FALSE ").isPresent());
    assertFalse(ClusterPause.fromAnnotationValue(null).isPresent());
    assertFalse(ClusterPause.fromConfigMap(null).isPresent());
  }

  @Test
  void annotationValueRoundTripsAndDescribesItself() {
    ClusterPause pause = new ClusterPause("alice", "maintenance \"window\"", AT);
    assertEquals(Optional.of(pause), ClusterPause.fromAnnotationValue(pause.toAnnotationValue()));
    assertEquals("paused by alice at 2026-11-25T03:00:00Z: maintenance \"window\"", pause.describe());
    assertEquals("paused", new ClusterPause(null, null, null).describe());
  }
}
