package io.autohealer.simulator.sandbox;

import io.autohealer.workflows.RepairSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Optional;

/**
 * Temporal's Java test server on a loopback port, in real time, so that worker and detector
 * processes can connect to it, with every search attribute of a repair registered. It keeps no
 * state across restarts and has no Web UI or visibility queries.
 */
public final class EmbeddedTemporal implements SandboxTemporal {
  public static final String NAMESPACE = "default";

  private final int port;
  private final TestServer.PortBoundTestServer server;

  private EmbeddedTemporal(int port) {
    this.port = port;
    this.server = TestServer.createPortBoundServer(port);
  }

  /** Starts on {@code port}, or on a free port when it is 0. */
  public static EmbeddedTemporal start(int port) {
    EmbeddedTemporal temporal = new EmbeddedTemporal(port == 0 ? freePort() : port);
    temporal.registerSearchAttributes();
    return temporal;
  }

  @Override
  public String target() {
    return "127.0.0.1:" + port;
  }

  @Override
  public String namespace() {
    return NAMESPACE;
  }

  @Override
  public boolean isTestServer() {
    return true;
  }

  /** None: the test server has no Web UI. */
  @Override
  public Optional<String> workflowUrl(String workflowId) {
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "Temporal test server (embedded) at " + target();
  }

  private void registerSearchAttributes() {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(target()).validateAndBuildWithDefaults());
    try {
      AddSearchAttributesRequest.Builder request = AddSearchAttributesRequest.newBuilder().setNamespace(NAMESPACE);
      RepairSearchAttributes.ALL.forEach(key ->
          request.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      operator.blockingStub().addSearchAttributes(request.build());
    } finally {
      operator.shutdownNow();
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
