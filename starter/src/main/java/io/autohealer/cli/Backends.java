package io.autohealer.cli;

import io.autohealer.config.KubernetesClients;
import io.autohealer.config.KubernetesSettings;
import io.autohealer.config.TemporalClients;
import io.autohealer.config.TemporalSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Clock;
import java.time.Duration;

/** Where the CLI gets its clients, environment, clock and user from; tests substitute their own. */
public interface Backends {
  /** How long the CLI waits for the Temporal frontend to answer its first health check. */
  Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** A Temporal client for the settings; the handle's close releases it. */
  Handle<WorkflowClient> temporal(TemporalSettings settings);

  /** A Kubernetes client for the settings; the handle's close releases it. */
  Handle<KubernetesClient> kubernetes(KubernetesSettings settings);

  default String environment(String name) {
    return System.getenv(name);
  }

  default Clock clock() {
    return Clock.systemUTC();
  }

  /** Who runs the CLI, the default of {@code --by}. */
  default String user() {
    return System.getProperty("user.name", "unknown");
  }

  /** A client and how to release it. */
  record Handle<T>(T value, AutoCloseable closer) {
    public static <T> Handle<T> unmanaged(T value) {
      return new Handle<>(value, () -> {});
    }
  }

  /** The real ones: a gRPC connection that must answer a health check, fabric8 from the settings. */
  static Backends production() {
    return new Backends() {
      @Override
      public Handle<WorkflowClient> temporal(TemporalSettings settings) {
        WorkflowServiceStubs stubs;
        try {
          stubs = WorkflowServiceStubs.newConnectedServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget(settings.address())
                  .setRpcQueryTimeout(Repairs.QUERY_TIMEOUT.plusSeconds(1))
                  .build(),
              CONNECT_TIMEOUT);
        } catch (RuntimeException e) {
          throw new CliFailure("cannot reach Temporal at " + settings.address() + " (waited "
              + CONNECT_TIMEOUT.toSeconds() + "s): " + Failures.rootMessage(e), e);
        }
        WorkflowClient client = WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
        return new Handle<>(client, new TemporalClients.Connection(stubs, client));
      }

      @Override
      public Handle<KubernetesClient> kubernetes(KubernetesSettings settings) {
        KubernetesClient client = KubernetesClients.create(settings);
        return new Handle<>(client, client);
      }
    };
  }
}
