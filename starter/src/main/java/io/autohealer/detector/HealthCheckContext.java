package io.autohealer.detector;

import java.time.Clock;
import java.time.Duration;

/** What the detector offers a {@link HealthCheck} that works beyond {@link HealthCheck#check}. */
public interface HealthCheckContext {

  /**
   * Asks the detector to evaluate the node again soon, on its own thread (e.g. because a probe
   * just changed its answer). Thread-safe and never blocks; ignored while the Node watch is down.
   */
  void recheck(String node);

  /**
   * Sets one annotation of a Node, or removes it when {@code value} is null, with a JSON merge
   * patch (no read, no full update). Blocking I/O: never call it from {@link HealthCheck#check}.
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API refuses or cannot
   *     be reached
   */
  void annotate(String node, String key, String value);

  /** The detector's {@code monitor-interval}: each node is checked at least this often. */
  Duration monitorInterval();

  /** The detector's clock, for times handed to {@link HealthCheck#check}. */
  Clock clock();
}
