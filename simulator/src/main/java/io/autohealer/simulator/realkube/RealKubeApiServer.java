package io.autohealer.simulator.realkube;

import io.autohealer.simulator.process.ManagedProcess;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for tests and the sandbox: etcd and kube-apiserver (built by
 * {@code bin/tools/install-kube-testbed}) as child processes on loopback, and optionally kwok as a
 * controller that keeps fake nodes (annotated {@value #KWOK_ANNOTATION}={@value
 * #KWOK_ANNOTATION_VALUE}) and their pods alive and Ready.
 *
 * <pre>{@code
 * try (RealKubeApiServer kube = RealKubeApiServer.builder().kwok(true).start()) {
 *   KubernetesClient admin = kube.adminClient();             // system:masters, by token
 *   Path kubeconfig = kube.kubeconfig();                      // for other processes
 *   try (KubernetesClient sa = kube.serviceAccountClient("kube-system", "healer-worker")) {
 *     ...                                                     // RBAC applies
 *   }
 * }
 * }</pre>
 *
 * <p>What it sets up: a CA, a serving certificate for 127.0.0.1 (and the in-cluster names), a
 * service-account signing key, a static token file with one admin token (group {@code
 * system:masters}), {@code --authorization-mode=Node,RBAC}, etcd with its data in the work folder.
 * Certificates are made with {@code openssl}. {@link #start()} returns when etcd is healthy, the API
 * server's {@code /readyz} is ok and, with kwok, kwok's {@code /readyz} is ok; nothing sleeps for a
 * fixed time.
 *
 * <p>What a real cluster has and this one does not: no kube-controller-manager (so no node lifecycle
 * controller, no disruption controller computing PodDisruptionBudget status, no garbage collector,
 * no namespace deletion, no ServiceAccount/token controllers: the ServiceAccount admission plugin is
 * off, so pods need no service account), no scheduler (set {@code spec.nodeName}), no kubelets
 * except what kwok or the simulator's kubelets write.
 */
public final class RealKubeApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RealKubeApiServer.class);

  /** The address every port binds to. */
  public static final String HOST = ManagedProcess.LOOPBACK;
  /** The annotation by which kwok picks the nodes it keeps alive. */
  public static final String KWOK_ANNOTATION = "kwok.x-k8s.io/node";
  public static final String KWOK_ANNOTATION_VALUE = "fake";
  /** The admin user of the static token file, in group {@code system:masters}. */
  public static final String ADMIN_USER = "autohealer-admin";
  public static final String DEFAULT_NAMESPACE = "default";
  public static final String SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16";
  public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

  private static final int PORT_PICK_ATTEMPTS = 3;

  private final Path binDir;
  private final Path workDir;
  private final boolean ownsWorkDir;
  private final boolean kwok;
  private final Duration startupTimeout;
  private final List<String> extraApiServerArgs;
  private final String adminToken;

  private int etcdPort;
  private int etcdPeerPort;
  private int apiPort;
  private int kwokPort;
  private ManagedProcess etcd;
  private ManagedProcess apiServer;
  private ManagedProcess kwokProcess;
  private HttpClient http;
  private KubernetesClient adminClient;
  private boolean startFailed;
  private boolean closed;

  private RealKubeApiServer(Builder b) throws IOException {
    this.binDir = b.binDir != null ? b.binDir.toAbsolutePath() : KubeTestbed.require();
    if (b.workDir != null) {
      this.workDir = Files.createDirectories(b.workDir.toAbsolutePath());
      this.ownsWorkDir = false;
    } else {
      this.workDir = Files.createTempDirectory("real-kube-");
      this.ownsWorkDir = true;
    }
    this.kwok = b.kwok;
    this.startupTimeout = b.startupTimeout;
    this.extraApiServerArgs = List.copyOf(b.extraApiServerArgs);
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    this.adminToken = HexFormat.of().formatHex(random);
  }

  /** A builder, to choose the work folder, kwok or extra API server flags. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts etcd and kube-apiserver (no kwok) in a temporary folder that {@link #close()} removes. */
  public static RealKubeApiServer start() {
    return builder().start();
  }

  // ---------------------------------------------------------------------------------------------
  // What a client needs

  /** {@code https://127.0.0.1:<port>}. */
  public String masterUrl() {
    return "https://" + HOST + ":" + apiPort;
  }

  public int port() {
    return apiPort;
  }

  /** The etcd client URL, {@code http://127.0.0.1:<port>}. */
  public String etcdUrl() {
    return "http://" + HOST + ":" + etcdPort;
  }

  /** The CA that signed the serving certificate (PEM). */
  public Path caCertFile() {
    return pki().resolve("ca.crt");
  }

  /** The bearer token of {@value #ADMIN_USER} (group {@code system:masters}). */
  public String adminToken() {
    return adminToken;
  }

  /**
   * A kubeconfig for the admin user with the CA embedded, for other processes (worker, detector,
   * kubectl): {@code <work>/kubeconfig}.
   */
  public Path kubeconfig() {
    return workDir.resolve("kubeconfig");
  }

  /** A client configuration of the admin user that reads nothing of the machine's own config. */
  public Config adminConfig() {
    return configForToken(adminToken);
  }

  /** A client configuration that authenticates with {@code bearerToken}. */
  public Config configForToken(String bearerToken) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(masterUrl())
        .withCaCertFile(caCertFile().toString())
        .withOauthToken(Objects.requireNonNull(bearerToken, "bearerToken"))
        .withNamespace(DEFAULT_NAMESPACE)
        .build();
  }

  /** The admin client, made on first use and closed with the server. */
  public synchronized KubernetesClient adminClient() {
    if (adminClient == null) {
      adminClient = new KubernetesClientBuilder().withConfig(adminConfig()).build();
    }
    return adminClient;
  }

  /**
   * A new client (the caller closes it) that acts as ServiceAccount {@code namespace/name}, with a
   * token from the TokenRequest API (one hour). The namespace and the ServiceAccount are created
   * when missing; RBAC decides what the client may do.
   */
  public KubernetesClient serviceAccountClient(String namespace, String name) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(configForToken(serviceAccountToken(namespace, name)))
            .withNamespace(namespace).build())
        .build();
  }

  /** A token for ServiceAccount {@code namespace/name} (created when missing), valid one hour. */
  public String serviceAccountToken(String namespace, String name) {
    KubernetesClient admin = adminClient();
    createIfMissing(() -> admin.namespaces().resource(new NamespaceBuilder()
        .withNewMetadata().withName(namespace).endMetadata().build()).create());
    createIfMissing(() -> admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build()).create());
    TokenRequest request = new TokenRequestBuilder()
        .withNewSpec().withExpirationSeconds(3600L).endSpec().build();
    return admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request)
        .getStatus().getToken();
  }

  private static void createIfMissing(Runnable create) {
    try {
      create.run();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  public boolean kwokEnabled() {
    return kwok;
  }

  public Path workDir() {
    return workDir;
  }

  /** Where the child processes write their output: {@code etcd.log}, {@code kube-apiserver.log}, {@code kwok.log}. */
  public Path logFile(String process) {
    return workDir.resolve(process + ".log");
  }

  public Path binDir() {
    return binDir;
  }

  public synchronized boolean isRunning() {
    return apiServer != null && apiServer.isAlive();
  }

  // ---------------------------------------------------------------------------------------------
  // Life cycle

  /** Stops kwok, kube-apiserver and etcd (SIGTERM, then SIGKILL after 20 s), in that order. */
  public synchronized void stop() {
    for (ManagedProcess child : new ManagedProcess[] {kwokProcess, apiServer, etcd}) {
      if (child != null) {
        child.stop(Duration.ofSeconds(20));
      }
    }
  }

  /** Stops everything, closes the admin client, and removes the temporary folder it made, if any. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (adminClient != null) {
        adminClient.close();
      }
      stop();
    } finally {
      if (ownsWorkDir && !startFailed) {
        deleteRecursively(workDir);
      }
    }
  }

  @Override
  public String toString() {
    return "RealKubeApiServer[" + masterUrl() + ", etcd " + etcdUrl() + (kwok ? ", kwok" : "")
        + ", work " + workDir + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Starting

  private void launch() {
    long started = System.nanoTime();
    makePki();
    http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(1))
        .sslContext(trusting(caCertFile()))
        .build();
    for (int attempt = 1; ; attempt++) {
      pickPorts();
      Instant deadline = Instant.now().plus(startupTimeout);
      try {
        startEtcd(deadline);
        startApiServer(deadline);
        writeKubeconfig();
        if (kwok) {
          startKwok(deadline);
        }
        log.info("real Kubernetes API server ready in {} ms: {}",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), this);
        return;
      } catch (ManagedProcess.ExitedException e) {
        destroyAll();
        if (e.portTaken() && attempt < PORT_PICK_ATTEMPTS) {
          log.info("a port picked for the real Kubernetes API server was taken meanwhile; picking again");
          continue;
        }
        throw new IllegalStateException(e.getMessage(), e);
      } catch (RuntimeException e) {
        destroyAll();
        throw e;
      }
    }
  }

  private void startEtcd(Instant deadline) {
    String client = "http://" + HOST + ":" + etcdPort;
    String peer = "http://" + HOST + ":" + etcdPeerPort;
    etcd = start("etcd", List.of(binDir.resolve("etcd").toString(),
        "--name", "default",
        "--data-dir", workDir.resolve("etcd-data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "default=" + peer,
        "--unsafe-no-fsync", // a test bed: speed over durability
        "--log-level", "warn"));
    URI health = URI.create(client + "/health");
    etcd.await("etcd healthy at " + health, deadline, startupTimeout, () -> {
      HttpResponse<String> r = get(health, null);
      return r != null && r.statusCode() == 200 && r.body().contains("\"true\"");
    });
  }

  private void startApiServer(Instant deadline) {
    Path pki = pki();
    List<String> command = new ArrayList<>(List.of(binDir.resolve("kube-apiserver").toString(),
        "--etcd-servers=" + etcdUrl(),
        "--bind-address=" + HOST,
        "--advertise-address=" + HOST,
        // The apiserver refuses a loopback address for the kubernetes Service's endpoints.
        "--endpoint-reconciler-type=none",
        "--secure-port=" + apiPort,
        "--cert-dir=" + pki,
        "--tls-cert-file=" + pki.resolve("apiserver.crt"),
        "--tls-private-key-file=" + pki.resolve("apiserver.key"),
        "--client-ca-file=" + pki.resolve("ca.crt"),
        "--token-auth-file=" + pki.resolve("tokens.csv"),
        "--authorization-mode=Node,RBAC",
        "--service-account-key-file=" + pki.resolve("sa.pub"),
        "--service-account-signing-key-file=" + pki.resolve("sa.key"),
        "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
        "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
        "--allow-privileged=true",
        // No controller-manager creates the "default" ServiceAccount of each namespace.
        "--disable-admission-plugins=ServiceAccount",
        "--profiling=false"));
    command.addAll(extraApiServerArgs);
    apiServer = start("kube-apiserver", command);
    URI readyz = URI.create(masterUrl() + "/readyz");
    apiServer.await("kube-apiserver /readyz ok at " + readyz, deadline, startupTimeout, () -> {
      HttpResponse<String> r = get(readyz, adminToken);
      return r != null && r.statusCode() == 200;
    });
  }

  private void startKwok(Instant deadline) {
    kwokProcess = start("kwok", List.of(binDir.resolve("kwok").toString(),
        "--kubeconfig=" + kubeconfig(),
        "--config=" + binDir.resolve("kwok-stages.yaml"),
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=" + KWOK_ANNOTATION + "=" + KWOK_ANNOTATION_VALUE,
        "--node-lease-duration-seconds=40",
        "--cidr=10.244.0.0/16",
        "--node-ip=10.0.255.1",
        "--server-address=" + HOST + ":" + kwokPort));
    URI readyz = URI.create("http://" + HOST + ":" + kwokPort + "/readyz");
    kwokProcess.await("kwok /readyz ok at " + readyz, deadline, startupTimeout, () -> {
      HttpResponse<String> r = get(readyz, null);
      return r != null && r.statusCode() == 200;
    });
  }

  private void writeKubeconfig() {
    String ca;
    try {
      ca = Base64.getEncoder().encodeToString(Files.readAllBytes(caCertFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    io.fabric8.kubernetes.api.model.Config config = new io.fabric8.kubernetes.api.model.ConfigBuilder()
        .withApiVersion("v1")
        .withKind("Config")
        .addToClusters(new NamedClusterBuilder().withName("real-kube")
            .withNewCluster().withServer(masterUrl()).withCertificateAuthorityData(ca).endCluster()
            .build())
        .addToUsers(new NamedAuthInfoBuilder().withName(ADMIN_USER)
            .withNewUser().withToken(adminToken).endUser().build())
        .addToContexts(new NamedContextBuilder().withName("real-kube")
            .withNewContext().withCluster("real-kube").withUser(ADMIN_USER)
            .withNamespace(DEFAULT_NAMESPACE).endContext().build())
        .withCurrentContext("real-kube")
        .build();
    writePrivate(kubeconfig(), new KubernetesSerialization().asYaml(config));
  }

  /** CA, serving certificate, service-account key pair and the token file, with openssl. */
  private void makePki() {
    Path pki = pki();
    try {
      Files.createDirectories(pki);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long started = System.nanoTime();
    openssl(pki, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.crt", "-days", "3650", "-subj", "/CN=autohealer-testbed-ca");
    openssl(pki, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "apiserver.key",
        "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver");
    writePrivate(pki.resolve("apiserver.ext"),
        "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,"
            + "DNS:kubernetes.default,DNS:kubernetes.default.svc,"
            + "DNS:kubernetes.default.svc.cluster.local\n"
            + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
    openssl(pki, "x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "apiserver.crt", "-days", "3650", "-extfile", "apiserver.ext");
    openssl(pki, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
        "-out", "sa.key");
    openssl(pki, "pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
    writePrivate(pki.resolve("tokens.csv"),
        adminToken + "," + ADMIN_USER + "," + ADMIN_USER + ",\"system:masters\"\n");
    log.debug("certificates and keys made in {} ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output;
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("failed: " + String.join(" ", command) + "\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run openssl (Debian package openssl), needed to make "
          + "the test bed's certificates", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running openssl", e);
    }
  }

  private Path pki() {
    return workDir.resolve("pki");
  }

  private void pickPorts() {
    etcdPort = ManagedProcess.freePort();
    etcdPeerPort = ManagedProcess.freePort(etcdPort);
    apiPort = ManagedProcess.freePort(etcdPort, etcdPeerPort);
    kwokPort = ManagedProcess.freePort(etcdPort, etcdPeerPort, apiPort);
  }

  private ManagedProcess start(String process, List<String> command) {
    return ManagedProcess.start(process, new ProcessBuilder(command).directory(workDir.toFile()),
        logFile(process), null);
  }

  /** A GET, or null when the server does not answer yet. */
  private HttpResponse<String> get(URI uri, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException notYet) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static SSLContext trusting(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust " + caPem, e);
    }
  }

  private synchronized void destroyAll() {
    for (ManagedProcess child : new ManagedProcess[] {kwokProcess, apiServer, etcd}) {
      if (child != null && child.isAlive()) {
        child.kill();
      }
    }
  }

  private static void writePrivate(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
      file.toFile().setReadable(false, false);
      file.toFile().setReadable(true, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot remove {}", dir, e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Options of a {@link RealKubeApiServer}; {@link #start()} starts it and waits until ready. */
  public static final class Builder {
    private Path binDir;
    private Path workDir;
    private boolean kwok;
    private Duration startupTimeout = Duration.ofSeconds(90);
    private final List<String> extraApiServerArgs = new ArrayList<>();

    private Builder() {}

    /** The folder with kube-apiserver, etcd, kwok; default {@link KubeTestbed#require()}. */
    public Builder binDir(Path binDir) {
      this.binDir = binDir;
      return this;
    }

    /** Where certificates, etcd's data, the kubeconfig and logs go; default a temporary folder, removed by close(). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** Also run kwok, for nodes annotated {@value #KWOK_ANNOTATION}={@value #KWOK_ANNOTATION_VALUE}. */
    public Builder kwok(boolean kwok) {
      this.kwok = kwok;
      return this;
    }

    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Extra kube-apiserver flags, e.g. {@code --feature-gates=...}; later flags win. */
    public Builder apiServerArg(String flag) {
      extraApiServerArgs.add(Objects.requireNonNull(flag));
      return this;
    }

    /** Starts etcd, kube-apiserver and (if asked) kwok; returns when all are ready. */
    public RealKubeApiServer start() {
      RealKubeApiServer server;
      try {
        server = new RealKubeApiServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the test bed's work folder", e);
      }
      try {
        server.launch();
      } catch (RuntimeException e) {
        server.startFailed = true;
        server.closed = true;
        server.destroyAll();
        throw e;
      }
      return server;
    }
  }
}
