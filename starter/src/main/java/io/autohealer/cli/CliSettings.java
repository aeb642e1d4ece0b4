package io.autohealer.cli;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.config.KubernetesSettings;
import io.autohealer.config.TemporalSettings;
import io.autohealer.detector.HealthCheckRegistry;

/**
 * What a command talks to, from the command line, a {@code config.yaml} and the environment.
 *
 * @param cluster the Magnum cluster (uuid or name)
 * @param temporal Temporal frontend and namespace
 * @param kubernetes how to reach the cluster's Kubernetes API
 */
record CliSettings(String cluster, TemporalSettings temporal, KubernetesSettings kubernetes) {

  /**
   * Options first, then the config file (whose loader lets {@code TEMPORAL_ADDRESS} and {@code
   * TEMPORAL_NAMESPACE} override it), then the environment, then the defaults.
   *
   * @throws MissingClusterException when neither {@code --cluster} nor the config names a cluster
   * @throws io.autohealer.config.ConfigException for an unreadable or invalid config file
   */
  static CliSettings resolve(CommonOptions options, Backends backends) {
    AutoHealerConfig config = null;
    if (options.config != null) {
      config = ConfigLoader.builder()
          .healthCheckTypes(HealthCheckRegistry.load().types())
          .environment(backends::environment)
          .warnings(warning -> {}) // the detector reports unknown keys; the CLI only needs a few
          .build()
          .read(options.config);
    }
    String cluster = firstNonBlank(options.cluster, config == null ? null : config.clusterName());
    if (cluster == null) {
      throw new MissingClusterException();
    }
    String address = firstNonBlank(options.address,
        config == null ? null : config.temporal().address(),
        backends.environment("TEMPORAL_ADDRESS"),
        TemporalSettings.DEFAULT_ADDRESS);
    String namespace = firstNonBlank(options.namespace,
        config == null ? null : config.temporal().namespace(),
        backends.environment("TEMPORAL_NAMESPACE"),
        TemporalSettings.DEFAULT_NAMESPACE);
    KubernetesSettings base = config == null ? KubernetesSettings.inCluster() : config.kubernetes();
    KubernetesSettings kubernetes = options.kubeconfig == null
        ? base
        : new KubernetesSettings(base.apiHost(), options.kubeconfig.toString());
    return new CliSettings(cluster.trim(), new TemporalSettings(address.trim(), namespace.trim()), kubernetes);
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** Neither {@code --cluster} nor {@code --config} with {@code cluster-name}: a usage error. */
  static final class MissingClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingClusterException() {
      super("--cluster is required (or --config with a config.yaml that has cluster-name)");
    }
  }
}
