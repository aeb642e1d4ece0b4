package io.autohealer.simulator.kubernetes;

import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A Kubernetes API server for the simulated cluster: fabric8's mock server in CRUD mode, plain
 * HTTP on loopback, with the Eviction API (PodDisruptionBudgets honoured), graceful pod deletion
 * that waits for the node's kubelet, and the {@code spec.nodeName} field selector of pod lists
 * added. Other processes (worker, detector) connect with
 * {@code masterUrl=http://127.0.0.1:<port>} or the kubeconfig from {@link #writeKubeconfig}; no
 * authentication is checked.
 */
public final class KubernetesSimulator implements AutoCloseable {
  /** User agent of {@link #client()}, so interceptors can tell the simulator's own calls apart. */
  public static final String USER_AGENT = "autohealer-simulator";
  public static final String DEFAULT_NAMESPACE = "default";
  private static final String LOOPBACK = "127.0.0.1";
  // MockWebServer logs every request at INFO through java.util.logging; a simulated cluster of
  // thousands of nodes would drown everything else. Held here so the setting is not collected.
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger(MockWebServer.class.getName());

  static {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final SimulatorDispatcher dispatcher = new SimulatorDispatcher();
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private KubernetesSimulator(int port) {
    server = new KubernetesMockServer(
        new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(loopback(), port);
    client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(clientConfig()).withUserAgent(USER_AGENT).build())
        .build();
  }

  /** Starts the server on loopback; {@code port} 0 picks a free port. */
  public static KubernetesSimulator start(int port) {
    return new KubernetesSimulator(port);
  }

  public int port() {
    return server.getPort();
  }

  public String masterUrl() {
    return "http://" + LOOPBACK + ":" + port();
  }

  /** The simulator's own client (kubelets, test set-up). Closed with the simulator. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A configuration for a new client of this server that reads no kubeconfig, environment or
   * service account of the machine.
   */
  public Config clientConfig() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(masterUrl())
        .withNamespace(DEFAULT_NAMESPACE)
        .withHttp2Disable(true)
        .build();
  }

  /** Writes a kubeconfig for this server to {@code file} (creating its directory) and returns it. */
  public Path writeKubeconfig(Path file) {
    io.fabric8.kubernetes.api.model.Config kubeconfig = new io.fabric8.kubernetes.api.model.ConfigBuilder()
        .withApiVersion("v1")
        .withKind("Config")
        .addToClusters(new NamedClusterBuilder().withName("simulator")
            .withNewCluster().withServer(masterUrl()).endCluster().build())
        .addToUsers(new NamedAuthInfoBuilder().withName("simulator").withNewUser().endUser().build())
        .addToContexts(new NamedContextBuilder().withName("simulator")
            .withNewContext().withCluster("simulator").withUser("simulator").withNamespace(DEFAULT_NAMESPACE).endContext()
            .build())
        .withCurrentContext("simulator")
        .build();
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, new KubernetesSerialization().asYaml(kubeconfig));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
  }

  /**
   * Tells the API whose kubelets run, by Node name: a pod deleted gracefully (evicted, or deleted
   * with a grace period) on a node whose kubelet does not run stays terminating until it is
   * deleted with grace period 0 or its kubelet runs again (see {@link SimulatedWorkloads}). By
   * default a kubelet runs unless its Node's Ready condition is Unknown.
   */
  public void kubeletsRunning(Predicate<String> running) {
    dispatcher.kubeletRunning(Objects.requireNonNull(running, "running"));
  }

  /** Whether the kubelet of Node {@code nodeName} runs, as the API sees it. */
  public boolean isKubeletRunning(String nodeName) {
    return dispatcher.isKubeletRunning(nodeName);
  }

  /** Adds an interceptor that sees every request first (fault injection, call counting). */
  public void addInterceptor(ApiInterceptor interceptor) {
    dispatcher.addInterceptor(interceptor);
  }

  public void removeInterceptor(ApiInterceptor interceptor) {
    dispatcher.removeInterceptor(interceptor);
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByName(LOOPBACK);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
