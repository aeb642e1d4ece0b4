package io.autohealer.simulator.sandbox;

import io.autohealer.simulator.realtemporal.TemporalDevServer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Temporal server a sandbox runs on: Temporal's embedded Java test server (the default, nothing
 * to install) or, with {@code --real-temporal}, the Temporal CLI's dev server with its Web UI.
 */
public interface SandboxTemporal extends AutoCloseable {

  /** The gRPC target, e.g. {@code 127.0.0.1:7233}. */
  String target();

  String namespace();

  /**
   * True for the Java test server, whose workers need {@code --test-server} (no sticky task queues:
   * it never moves a workflow off a dead worker's sticky queue).
   */
  boolean isTestServer();

  /** The Web UI page of a workflow, when the server has a Web UI. */
  Optional<String> workflowUrl(String workflowId);

  /** One line for the sandbox's output: what runs where. */
  String describe();

  @Override
  void close();

  /** The embedded Java test server on {@code port} (0: a free port). */
  static SandboxTemporal embedded(int port) {
    return EmbeddedTemporal.start(port);
  }

  /**
   * The dev server, its db file ({@code temporal.db}) and log ({@code temporal-dev.log}) in {@code
   * workDir}, every repair search attribute registered; ports 0 are free ports.
   */
  static SandboxTemporal devServer(int port, int uiPort, Path workDir) {
    TemporalDevServer server = TemporalDevServer.builder().port(port).uiPort(uiPort).workDir(workDir).start();
    return new SandboxTemporal() {
      @Override
      public String target() {
        return server.target();
      }

      @Override
      public String namespace() {
        return server.namespace();
      }

      @Override
      public boolean isTestServer() {
        return false;
      }

      @Override
      public Optional<String> workflowUrl(String workflowId) {
        return Optional.of(server.workflowUrl(workflowId));
      }

      @Override
      public String describe() {
        return "Temporal dev server at %s, Web UI %s, db %s".formatted(server.target(), server.uiUrl(),
            server.dbFile());
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
