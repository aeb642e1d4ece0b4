package io.autohealer.detector;

import io.autohealer.workflows.NodeRole;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The detector's metrics (Micrometer; Prometheus names in brackets):
 *
 * <ul>
 *   <li>{@code autohealer_nodes_checked_total}: node evaluations;
 *   <li>{@code autohealer_nodes_unhealthy{role}}: nodes whose checks fail past their
 *       unhealthy-duration, now;
 *   <li>{@code autohealer_repairs_started_total{role}}: repairs started;
 *   <li>{@code autohealer_repairs_blocked_total{reason}}: repairs held back by a safety gate, counted
 *       once per node each time the reason changes (not on every re-check); every reason is
 *       present from the start, at 0;
 *   <li>{@code autohealer_detector_pass_seconds}: duration of a full pass over all nodes.
 * </ul>
 */
public final class DetectorMetrics {
  private final Counter checked;
  private final Map<NodeRole, AtomicInteger> unhealthy = new EnumMap<>(NodeRole.class);
  private final Map<NodeRole, Counter> started = new EnumMap<>(NodeRole.class);
  private final Map<Decision, Counter> blocked = new EnumMap<>(Decision.class);
  private final Timer pass;

  public DetectorMetrics(MeterRegistry registry) {
    checked = Counter.builder("autohealer.nodes.checked").description("Node evaluations").register(registry);
    for (NodeRole role : NodeRole.values()) {
      String tag = role.name().toLowerCase(Locale.ROOT);
      AtomicInteger count = new AtomicInteger();
      unhealthy.put(role, count);
      Gauge.builder("autohealer.nodes.unhealthy", count, AtomicInteger::get)
          .description("Nodes that failed a health check past its unhealthy-duration")
          .tag("role", tag)
          .register(registry);
      started.put(role, Counter.builder("autohealer.repairs.started").description("Repairs started")
          .tag("role", tag).register(registry));
    }
    for (Decision decision : Decision.values()) {
      if (decision.blocked()) {
        blocked.put(decision, Counter.builder("autohealer.repairs.blocked")
            .description("Repairs held back by a safety gate").tag("reason", decision.reason()).register(registry));
      }
    }
    pass = Timer.builder("autohealer.detector.pass").description("A full pass of the detector over all nodes")
        .register(registry);
  }

  /** Metrics kept in memory only (tests, or {@code metrics-port: 0}). */
  public static DetectorMetrics inMemory() {
    return new DetectorMetrics(new SimpleMeterRegistry());
  }

  void checked() {
    checked.increment();
  }

  void unhealthy(NodeRole role, int count) {
    unhealthy.get(role).set(count);
  }

  void started(NodeRole role) {
    started.get(role).increment();
  }

  void blocked(Decision gate) {
    blocked.get(gate).increment();
  }

  void pass(Duration duration) {
    pass.record(duration);
  }
}
