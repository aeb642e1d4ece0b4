package io.autohealer.config;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.authorization.AuthorizationTokenSupplier;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Connects to a Temporal frontend. The connection is made lazily, on the first call. */
public final class TemporalClients {
  private TemporalClients() {}

  public static Connection connect(TemporalSettings settings) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(stubsOptions(settings));
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    return new Connection(stubs, client);
  }

  /**
   * The gRPC options for {@code settings}: plaintext, TLS with the JVM's or a given CA, mTLS with a
   * client certificate, an overridden server name, and an API key, in any sensible combination.
   *
   * @throws ConfigException naming the key when a TLS file cannot be used
   */
  static WorkflowServiceStubsOptions stubsOptions(TemporalSettings settings) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.address());
    TemporalSettings.Tls tls = settings.tls();
    if (tls.enabled()) {
      if (tls.certFile() != null || tls.caFile() != null) {
        options.setSslContext(sslContext(tls));
      } else {
        options.setEnableHttps(true);
      }
      if (tls.serverName() != null) {
        options.setChannelInitializer(channel -> channel.overrideAuthority(tls.serverName()));
      }
    }
    if (settings.apiKeyFile() != null) {
      options.addApiKey(new ApiKeyFile(Path.of(settings.apiKeyFile())));
      if (!tls.enabled()) {
        // The SDK turns TLS on with an API key unless told otherwise: temporal.tls.enabled: false must win.
        options.setEnableHttps(false);
      }
    }
    return options.build();
  }

  private static SslContext sslContext(TemporalSettings.Tls tls) {
    SslContextBuilder builder = GrpcSslContexts.forClient();
    String key = "temporal.tls.cert-file";
    try {
      if (tls.certFile() != null) {
        builder.keyManager(new File(tls.certFile()), new File(tls.keyFile()));
      }
      key = "temporal.tls.ca-file";
      if (tls.caFile() != null) {
        builder.trustManager(new File(tls.caFile()));
      }
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      String files = key.equals("temporal.tls.cert-file")
          ? "\"" + tls.certFile() + "\" / temporal.tls.key-file \"" + tls.keyFile() + "\""
          : "\"" + tls.caFile() + "\"";
      throw new ConfigException(key + ": cannot use " + files + " (expected PEM): " + e.getMessage(), e);
    }
  }

  /**
   * The API key in a file, read again whenever the file's modification time changes (a Kubernetes
   * Secret volume swaps the file when the Secret is updated). The key is never logged.
   */
  static final class ApiKeyFile implements AuthorizationTokenSupplier {
    private final Path file;
    private FileTime readAt;
    private String key;

    ApiKeyFile(Path file) {
      this.file = file;
    }

    @Override
    public synchronized String supply() {
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        if (key == null || !modified.equals(readAt)) {
          String text = Files.readString(file).strip();
          if (text.isEmpty()) {
            throw new IllegalStateException("temporal.api-key-file: \"" + file + "\" is empty");
          }
          key = text;
          readAt = modified;
        }
        return key;
      } catch (IOException e) {
        if (key != null) {
          return key; // a Secret being swapped; the next call reads the new one
        }
        throw new IllegalStateException("temporal.api-key-file: cannot read \"" + file + "\": " + e.getMessage(), e);
      }
    }
  }

  /**
   * The gRPC stubs and the client on them. Closing shuts the channel down, giving calls in flight a
   * moment and then cancelling what is left: only long polls (workflow results) stay open for long.
   */
  public record Connection(WorkflowServiceStubs stubs, WorkflowClient client) implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration FORCED = Duration.ofSeconds(5);

    @Override
    public void close() {
      stubs.shutdown();
      if (!stubs.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        stubs.shutdownNow();
        stubs.awaitTermination(FORCED.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }
}
