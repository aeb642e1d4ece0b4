package io.autohealer.config;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads, sets and clears the {@link ClusterPause} on the ConfigMap {@value ClusterPause#CONFIG_MAP}.
 * Setting creates the ConfigMap when it does not exist; clearing removes only the annotation (the
 * ConfigMap stays, for other controls). Errors are fabric8's {@link KubernetesClientException}.
 *
 * <p>Needs RBAC {@code get} on that ConfigMap to read, and {@code create}/{@code patch} to set or
 * clear it.
 */
public final class ClusterPauseStore {
  private final KubernetesClient client;
  private final String namespace;

  public ClusterPauseStore(KubernetesClient client, String namespace) {
    this.client = Objects.requireNonNull(client);
    this.namespace = namespace == null || namespace.isBlank() ? ClusterPause.DEFAULT_NAMESPACE : namespace;
  }

  /** In {@value ClusterPause#DEFAULT_NAMESPACE}. */
  public ClusterPauseStore(KubernetesClient client) {
    this(client, ClusterPause.DEFAULT_NAMESPACE);
  }

  public String namespace() {
    return namespace;
  }

  /** {@code <namespace>/<name>} of the ConfigMap, for messages. */
  public String location() {
    return namespace + "/" + ClusterPause.CONFIG_MAP;
  }

  /** The current pause; empty when the healer is not paused or the ConfigMap does not exist. */
  public Optional<ClusterPause> read() {
    return ClusterPause.fromConfigMap(resource().get());
  }

  /** Pauses the healer for the cluster, replacing any earlier pause. */
  public void set(ClusterPause pause) {
    String value = pause.toAnnotationValue();
    Resource<ConfigMap> resource = resource();
    for (int attempt = 1; ; attempt++) {
      ConfigMap current = resource.get();
      try {
        if (current == null) {
          resource.create(new ConfigMapBuilder()
              .withNewMetadata()
              .withName(ClusterPause.CONFIG_MAP)
              .withNamespace(namespace)
              .addToLabels("app.kubernetes.io/name", "magnum-autohealer")
              .addToAnnotations(ClusterPause.ANNOTATION, value)
              .endMetadata()
              .build());
        } else {
          resource.edit(cm -> new ConfigMapBuilder(cm)
              .editMetadata().addToAnnotations(ClusterPause.ANNOTATION, value).endMetadata()
              .build());
        }
        return;
      } catch (KubernetesClientException e) {
        // Someone else created or changed it in between: look again, a few times.
        if (attempt >= 3 || !raced(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * Resumes the healer for the cluster.
   *
   * @return the pause that was removed, or empty when it was not paused
   */
  public Optional<ClusterPause> clear() {
    Resource<ConfigMap> resource = resource();
    ConfigMap current = resource.get();
    Optional<ClusterPause> was = ClusterPause.fromConfigMap(current);
    if (current != null && current.getMetadata().getAnnotations() != null
        && current.getMetadata().getAnnotations().containsKey(ClusterPause.ANNOTATION)) {
      resource.edit(cm -> new ConfigMapBuilder(cm)
          .editMetadata().removeFromAnnotations(ClusterPause.ANNOTATION).endMetadata()
          .build());
    }
    return was;
  }

  private Resource<ConfigMap> resource() {
    return client.configMaps().inNamespace(namespace).withName(ClusterPause.CONFIG_MAP);
  }

  private static boolean raced(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }
}
