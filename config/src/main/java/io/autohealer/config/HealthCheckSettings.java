package io.autohealer.config;

import java.util.List;

/**
 * The {@code healthcheck} section: the checks of each role, in config order. An empty list means
 * the role is never checked (Go semantics).
 */
public record HealthCheckSettings(List<HealthCheckSpec> master, List<HealthCheckSpec> worker) {
  public HealthCheckSettings {
    master = List.copyOf(master);
    worker = List.copyOf(worker);
  }
}
