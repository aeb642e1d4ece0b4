package io.autohealer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.stub.StreamObserver;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code temporal.tls.*} and {@code temporal.api-key-file} against a real TLS gRPC server that
 * serves Temporal's WorkflowService (GetSystemInfo only) and records what each caller presented.
 */
class TemporalTlsTest {
  private static final String SERVER_NAME = "temporal.example";

  @TempDir static Path pkiDir;
  private static TestPki pki;

  @TempDir Path dir;
  private Server server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<String> clientSubjects = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makePki() throws Exception {
    pki = TestPki.create(pkiDir, SERVER_NAME);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void mutualTlsWithOwnCaAndServerName() throws Exception {
    int port = startServer(ClientAuth.REQUIRE);
    AutoHealerConfig config = load("""
        cluster-name: c1
        temporal:
          address: 127.0.0.1:%d
          namespace: healing.a1b2c
          tls:
            cert-file: %s
            key-file: %s
            ca-file: %s
            server-name: %s
        """.formatted(port, pki.clientCert, pki.clientKey, pki.caCert, SERVER_NAME));
    TemporalSettings.Tls tls = config.temporal().tls();
    assertTrue(tls.enabled());
    assertTrue(tls.mutual());
    assertNull(config.temporal().apiKeyFile());

    call(config.temporal());
    assertEquals(List.of("CN=autohealer-worker"), clientSubjects);
  }

  @Test
  void serverRefusesAClientWithoutCertificate() throws Exception {
    int port = startServer(ClientAuth.REQUIRE);
    AutoHealerConfig config = load("""
        cluster-name: c1
        temporal:
          address: 127.0.0.1:%d
          tls: {ca-file: %s, server-name: %s}
        """.formatted(port, pki.caCert, SERVER_NAME));
    assertFalse(config.temporal().tls().mutual());
    assertThrows(StatusRuntimeException.class, () -> call(config.temporal()));
  }

  @Test
  void withoutServerNameTheCertificateDoesNotMatchTheAddress() throws Exception {
    int port = startServer(ClientAuth.NONE);
    AutoHealerConfig config = load("""
        cluster-name: c1
        temporal:
          address: 127.0.0.1:%d
          tls: {ca-file: %s}
        """.formatted(port, pki.caCert));
    assertThrows(StatusRuntimeException.class, () -> call(config.temporal()));
  }

  @Test
  void apiKeyIsSentAsBearerTokenAndReReadWhenTheFileChanges() throws Exception {
    int port = startServer(ClientAuth.NONE);
    Path keyFile = Files.writeString(dir.resolve("api-key"), "key-one\n");
    AutoHealerConfig config = load("""
        cluster-name: c1
        temporal:
          address: 127.0.0.1:%d
          api-key-file: %s
          tls: {ca-file: %s, server-name: %s}
        """.formatted(port, keyFile, pki.caCert, SERVER_NAME));
    assertEquals(keyFile.toString(), config.temporal().apiKeyFile());

    TemporalClients.Connection connection = TemporalClients.connect(config.temporal());
    try {
      getSystemInfo(connection);
      Files.writeString(keyFile, "key-two");
      Files.setLastModifiedTime(keyFile, FileTime.from(Instant.now().plusSeconds(5)));
      getSystemInfo(connection);
    } finally {
      connection.close();
    }
    assertEquals("Bearer key-one", authorizations.get(0));
    assertEquals("Bearer key-two", authorizations.get(authorizations.size() - 1));
  }

  @Test
  void apiKeyAloneTurnsTlsOnWithTheJvmsCas() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("api-key"), "k");
    AutoHealerConfig config = load("cluster-name: c1\ntemporal:\n  address: ns.acct.tmprl.cloud:7233\n"
        + "  api-key-file: " + keyFile + "\n");
    assertEquals(new TemporalSettings.Tls(true, null, null, null, null), config.temporal().tls());
    assertTrue(TemporalClients.stubsOptions(config.temporal()).getEnableHttps());
  }

  @Test
  void apiKeyWithTlsDisabledStaysPlaintext() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("api-key"), "k");
    AutoHealerConfig config = load("cluster-name: c1\ntemporal:\n  address: temporal:7233\n"
        + "  api-key-file: " + keyFile + "\n  tls:\n    enabled: false\n");
    assertEquals(TemporalSettings.Tls.PLAINTEXT, config.temporal().tls());
    assertFalse(TemporalClients.stubsOptions(config.temporal()).getEnableHttps());
  }

  @Test
  void plaintextByDefault() {
    AutoHealerConfig config = load("cluster-name: c1\ntemporal:\n  address: temporal:7233\n");
    assertEquals(TemporalSettings.Tls.PLAINTEXT, config.temporal().tls());
    assertFalse(TemporalClients.stubsOptions(config.temporal()).getEnableHttps());
    assertNull(TemporalClients.stubsOptions(config.temporal()).getSslContext());
  }

  @Test
  void configErrorsNameTheKey() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.crt"), "x");
    assertEquals("temporal.tls.key-file is required with temporal.tls.cert-file (mTLS needs both)",
        assertThrows(ConfigException.class,
            () -> load("cluster-name: c1\ntemporal:\n  tls: {cert-file: " + cert + "}\n")).getMessage());
    assertEquals("temporal.tls.ca-file: cannot read \"/nonexistent/ca.crt\"",
        assertThrows(ConfigException.class,
            () -> load("cluster-name: c1\ntemporal:\n  tls: {ca-file: /nonexistent/ca.crt}\n")).getMessage());
    assertEquals("temporal.api-key-file: cannot read \"/nonexistent/key\"",
        assertThrows(ConfigException.class,
            () -> load("cluster-name: c1\ntemporal:\n  api-key-file: /nonexistent/key\n")).getMessage());
    assertEquals("temporal.tls.enabled: false, but temporal.tls also sets files or a server name",
        assertThrows(ConfigException.class,
            () -> load("cluster-name: c1\ntemporal:\n  tls: {enabled: false, server-name: x}\n")).getMessage());
    ConfigException notPem = assertThrows(ConfigException.class, () -> TemporalClients.connect(
        new TemporalSettings("127.0.0.1:1", "default", new TemporalSettings.Tls(true, null, null, cert.toString(), null),
            null)));
    assertTrue(notPem.getMessage().startsWith("temporal.tls.ca-file: cannot use \"" + cert + "\" (expected PEM)"),
        notPem.getMessage());
  }

  @Test
  void tlsCanBeTurnedOffForAnApiKeyBehindATlsTerminatingProxy() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("api-key"), "k");
    AutoHealerConfig config = load("cluster-name: c1\ntemporal:\n  api-key-file: " + keyFile
        + "\n  tls: {enabled: false}\n");
    assertFalse(config.temporal().tls().enabled());
  }

  private AutoHealerConfig load(String yaml) {
    return ConfigLoader.builder().environment(Map.<String, String>of()::get).warnings(w -> {
      throw new AssertionError("unexpected warning: " + w);
    }).build().read(yaml, "test.yaml");
  }

  private static void call(TemporalSettings settings) {
    TemporalClients.Connection connection = TemporalClients.connect(settings);
    try {
      getSystemInfo(connection);
    } finally {
      connection.close();
    }
  }

  private static void getSystemInfo(TemporalClients.Connection connection) {
    connection.stubs().blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
        .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
  }

  private int startServer(ClientAuth clientAuth) throws Exception {
    WorkflowServiceGrpc.WorkflowServiceImplBase service = new WorkflowServiceGrpc.WorkflowServiceImplBase() {
      @Override
      public void getSystemInfo(GetSystemInfoRequest request, StreamObserver<GetSystemInfoResponse> response) {
        response.onNext(GetSystemInfoResponse.getDefaultInstance());
        response.onCompleted();
      }
    };
    ServerInterceptor recorder = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String authorization = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
        if (authorization != null) {
          authorizations.add(authorization);
        }
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null) {
          try {
            clientSubjects.add(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName());
          } catch (SSLPeerUnverifiedException e) {
            // no client certificate
          }
        }
        return next.startCall(call, headers);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcSslContexts.forServer(pki.serverCert.toFile(), pki.serverKey.toFile())
            .trustManager(pki.caCert.toFile())
            .clientAuth(clientAuth)
            .build())
        .addService(ServerInterceptors.intercept(service, recorder))
        .build()
        .start();
    return server.getPort();
  }
}
