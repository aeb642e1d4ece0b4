package io.autohealer.config;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;

/**
 * Builds the fabric8 client the way the Go service builds its client-go one
 * ({@code clientcmd.BuildConfigFromFlags(api-host, kubeconfig)}): from {@code kubernetes.kubeconfig}
 * when set, with {@code kubernetes.api-host} overriding the server; otherwise fabric8's
 * auto-configuration, which inside a pod is the service account.
 */
public final class KubernetesClients {
  private KubernetesClients() {}

  public static KubernetesClient create(KubernetesSettings settings) {
    return new KubernetesClientBuilder().withConfig(config(settings)).build();
  }

  static Config config(KubernetesSettings settings) {
    Config base;
    if (settings.kubeconfig() != null) {
      File file = new File(settings.kubeconfig());
      if (!file.isFile()) {
        throw new ConfigException("kubernetes.kubeconfig: no such file \"" + settings.kubeconfig() + "\"");
      }
      try {
        base = Config.fromKubeconfig(file);
      } catch (RuntimeException e) {
        // Not the parser's message: it quotes the file's content, and a kubeconfig holds credentials.
        throw new ConfigException("kubernetes.kubeconfig: cannot use \"" + settings.kubeconfig()
            + "\": not a valid kubeconfig (expected YAML with clusters, contexts and users)", e);
      }
    } else {
      base = Config.autoConfigure(null);
    }
    if (settings.apiHost() == null) {
      return base;
    }
    return new ConfigBuilder(base).withMasterUrl(settings.apiHost()).build();
  }
}
