package io.autohealer.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every {@code repairs} command takes. */
public final class CommonOptions {
  @Option(names = "--cluster", paramLabel = "<cluster>", order = 1,
      description = "Magnum cluster uuid or name, as the healer's cluster-name. Required unless --config gives it.")
  String cluster;

  @Option(names = "--config", paramLabel = "<file>", order = 2,
      description = "The healer's config.yaml: cluster-name, temporal.address, temporal.namespace and the kubernetes section are read from it.")
  Path config;

  @Option(names = "--address", paramLabel = "<host:port>", order = 3,
      description = "Temporal frontend. Default: temporal.address of --config, else $TEMPORAL_ADDRESS, else 127.0.0.1:7233.")
  String address;

  @Option(names = "--namespace", paramLabel = "<namespace>", order = 4,
      description = "Temporal namespace. Default: temporal.namespace of --config, else $TEMPORAL_NAMESPACE, else default.")
  String namespace;

  @Option(names = "--kubeconfig", paramLabel = "<path>", order = 5,
      description = "kubeconfig of the cluster's Kubernetes API (used by the Node-list fallback and by --all). "
          + "Default: the kubernetes section of --config, else $KUBECONFIG, ~/.kube/config or the in-cluster service account.")
  Path kubeconfig;

  @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", order = 6,
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Output output;

  @Option(names = {"-h", "--help"}, usageHelp = true, order = 99, description = "Show this help and exit.")
  boolean help;
}
