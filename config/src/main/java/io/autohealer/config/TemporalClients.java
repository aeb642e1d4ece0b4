package io.autohealer.config;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Connects to a Temporal frontend. The connection is made lazily, on the first call. */
public final class TemporalClients {
  private TemporalClients() {}

  public static Connection connect(TemporalSettings settings) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(settings.address()).build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    return new Connection(stubs, client);
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
