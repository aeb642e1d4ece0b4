package io.autohealer.detector;

import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;

/**
 * A health-check plugin, built by its {@link HealthCheckFactory} from one entry of {@code
 * healthcheck.master} or {@code healthcheck.worker}. The checks of a role run in config order and
 * the first that fails decides (Go semantics).
 *
 * <p>{@link #check} runs on the detector's thread for every node on every tick and on every node
 * change: it must not block for long, and must not modify the node (it comes from the informer
 * cache).
 */
public interface HealthCheck {

  /** The name reported as the failed check, e.g. {@code NodeConditionCheck} (Go's {@code GetName}). */
  String name();

  boolean supportsMaster();

  boolean supportsWorker();

  CheckResult check(Node node, Instant now);
}
