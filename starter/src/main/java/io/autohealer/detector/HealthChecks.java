package io.autohealer.detector;

import io.autohealer.workflows.NodeRole;
import java.util.ArrayList;
import java.util.List;

/** The checks of each role, in config order; an empty list means the role is not checked. */
public record HealthChecks(List<HealthCheck> master, List<HealthCheck> worker) {
  public HealthChecks {
    master = List.copyOf(master);
    worker = List.copyOf(worker);
  }

  public List<HealthCheck> forRole(NodeRole role) {
    return role == NodeRole.MASTER ? master : worker;
  }

  /** Every check of both roles, each once. */
  public List<HealthCheck> all() {
    List<HealthCheck> all = new ArrayList<>(master);
    worker.stream().filter(c -> all.stream().noneMatch(m -> m == c)).forEach(all::add);
    return all;
  }
}
