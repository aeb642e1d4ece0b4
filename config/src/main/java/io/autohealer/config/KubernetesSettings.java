package io.autohealer.config;

/**
 * The {@code kubernetes} section. With neither key set, the in-cluster service account is used.
 *
 * @param apiHost {@code kubernetes.api-host}: API server URL, overrides the kubeconfig's server; or null
 * @param kubeconfig {@code kubernetes.kubeconfig}: path of a kubeconfig file; or null
 */
public record KubernetesSettings(String apiHost, String kubeconfig) {
  public static KubernetesSettings inCluster() {
    return new KubernetesSettings(null, null);
  }
}
