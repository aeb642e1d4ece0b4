package io.autohealer.detector;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.workflows.NodeRole;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Applies the config's monitors, start-up grace and health checks to one node. Pure: no I/O. */
final class NodeEvaluator {
  private final boolean masterMonitorEnabled;
  private final boolean workerMonitorEnabled;
  private final Duration checkDelayAfterAdd;
  private final HealthChecks checks;

  NodeEvaluator(AutoHealerConfig config, HealthChecks checks) {
    this.masterMonitorEnabled = config.masterMonitorEnabled();
    this.workerMonitorEnabled = config.workerMonitorEnabled();
    this.checkDelayAfterAdd = config.checkDelayAfterAdd();
    this.checks = checks;
  }

  Verdict evaluate(Node node, Instant now) {
    NodeRole role = NodeFacts.role(node);
    if (role == NodeRole.MASTER && !masterMonitorEnabled) {
      return new Verdict.Ignored("master-monitor-enabled is false");
    }
    if (role == NodeRole.WORKER && !workerMonitorEnabled) {
      return new Verdict.Ignored("worker-monitor-enabled is false");
    }
    List<HealthCheck> roleChecks = checks.forRole(role);
    if (roleChecks.isEmpty()) {
      return new Verdict.Ignored("no health checks for " + role.name().toLowerCase() + " nodes");
    }
    if (role == NodeRole.WORKER && !NodeFacts.hasConditions(node)) {
      return new Verdict.Ignored("no status conditions yet");
    }
    Optional<Instant> checkFrom = NodeFacts.createdAt(node).map(created -> created.plus(checkDelayAfterAdd));
    if (checkFrom.isPresent() && now.isBefore(checkFrom.get())) {
      return new Verdict.Young(checkFrom.get());
    }

    Instant due = null;
    HealthCheck unknownCheck = null;
    String unknownReason = null;
    for (HealthCheck check : roleChecks) {
      CheckResult result = check.check(node, now);
      if (result instanceof CheckResult.Unhealthy unhealthy) {
        return new Verdict.Unhealthy(role, check.name(), unhealthy.reason());
      }
      if (result instanceof CheckResult.Pending pending && (due == null || pending.due().isBefore(due))) {
        due = pending.due();
      }
      if (result instanceof CheckResult.Unknown unknown && unknownCheck == null) {
        unknownCheck = check;
        unknownReason = unknown.reason();
      }
    }
    if (unknownCheck != null) {
      return new Verdict.Unknown(role, unknownCheck.name(), unknownReason, due);
    }
    return due == null ? new Verdict.Healthy() : new Verdict.Pending(due);
  }
}
