package io.autohealer.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.List;

/** The clients of one command, made on first use and released at the end. */
final class Session implements AutoCloseable {
  private final CliSettings settings;
  private final Backends backends;
  private final List<AutoCloseable> closers = new ArrayList<>();
  private WorkflowClient temporal;
  private KubernetesClient kubernetes;
  private Repairs repairs;

  Session(CliSettings settings, Backends backends) {
    this.settings = settings;
    this.backends = backends;
  }

  CliSettings settings() {
    return settings;
  }

  Backends backends() {
    return backends;
  }

  WorkflowClient temporal() {
    if (temporal == null) {
      Backends.Handle<WorkflowClient> handle = backends.temporal(settings.temporal());
      closers.add(handle.closer());
      temporal = handle.value();
    }
    return temporal;
  }

  KubernetesClient kubernetes() {
    if (kubernetes == null) {
      Backends.Handle<KubernetesClient> handle = backends.kubernetes(settings.kubernetes());
      closers.add(handle.closer());
      kubernetes = handle.value();
    }
    return kubernetes;
  }

  Repairs repairs() {
    if (repairs == null) {
      repairs = new Repairs(temporal(), settings.cluster(), settings.temporal().address());
      closers.add(repairs);
    }
    return repairs;
  }

  @Override
  public void close() {
    for (int i = closers.size() - 1; i >= 0; i--) {
      try {
        closers.get(i).close();
      } catch (Exception ignored) {
        // closing is best effort: the process exits next
      }
    }
  }
}
