package io.autohealer.detector;

import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;

/**
 * A check whose config is accepted and validated but whose evaluation is not implemented yet. The
 * {@link HealthCheckRegistry} reports it once at start-up and leaves it out: it never passes or
 * fails a node.
 */
public final class DeferredCheck implements HealthCheck {
  private final String name;
  private final boolean master;
  private final boolean worker;

  public DeferredCheck(String name, boolean supportsMaster, boolean supportsWorker) {
    this.name = name;
    this.master = supportsMaster;
    this.worker = supportsWorker;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean supportsMaster() {
    return master;
  }

  @Override
  public boolean supportsWorker() {
    return worker;
  }

  @Override
  public CheckResult check(Node node, Instant now) {
    throw new UnsupportedOperationException(name + " is not evaluated yet");
  }
}
