package io.autohealer.detector.checks;

import io.autohealer.config.GoDuration;
import io.autohealer.detector.CheckResult;
import io.autohealer.detector.HealthCheck;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The Go {@code NodeCondition} plugin: a node fails when one of the condition {@code types} has had
 * a bad status for at least {@code unhealthyDuration}, measured from the condition's
 * lastTransitionTime (so no state is kept, and every transition restarts the clock). A status is bad
 * when it is in {@code errorValues}, or, when that list is empty, when it is not in {@code
 * okValues}; so {@code Ready=Unknown} fails under the defaults. An absent condition type is healthy.
 * Types and values are case-sensitive.
 */
public final class NodeConditionCheck implements HealthCheck {
  /** The name Go reports as the failed check. */
  public static final String NAME = "NodeConditionCheck";

  private final List<String> types;
  private final List<String> okValues;
  private final List<String> errorValues;
  private final Duration unhealthyDuration;

  public NodeConditionCheck(
      List<String> types, List<String> okValues, List<String> errorValues, Duration unhealthyDuration) {
    this.types = List.copyOf(types);
    this.okValues = List.copyOf(okValues);
    this.errorValues = List.copyOf(errorValues);
    this.unhealthyDuration = unhealthyDuration;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean supportsMaster() {
    return true;
  }

  @Override
  public boolean supportsWorker() {
    return true;
  }

  @Override
  public CheckResult check(Node node, Instant now) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return CheckResult.healthy();
    }
    CheckResult.Pending earliest = null;
    for (NodeCondition condition : node.getStatus().getConditions()) {
      if (!types.contains(condition.getType()) || !isBad(condition.getStatus())) {
        continue;
      }
      String what = "NodeCondition " + condition.getType() + "=" + condition.getStatus();
      Instant since = parse(condition.getLastTransitionTime());
      if (since == null) {
        // Go reads a missing time as the zero time: bad for ever.
        return CheckResult.unhealthy(what + " (no lastTransitionTime)");
      }
      Duration bad = Duration.between(since, now);
      if (bad.compareTo(unhealthyDuration) >= 0) {
        return CheckResult.unhealthy(what + " for " + GoDuration.format(bad.withNanos(0)));
      }
      Instant due = since.plus(unhealthyDuration);
      if (earliest == null || due.isBefore(earliest.due())) {
        earliest = new CheckResult.Pending(what + " since " + since, due);
      }
    }
    return earliest == null ? CheckResult.healthy() : earliest;
  }

  private boolean isBad(String status) {
    return errorValues.isEmpty() ? !okValues.contains(status) : errorValues.contains(status);
  }

  private static Instant parse(String time) {
    if (time == null || time.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(time).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return NAME + "[types=" + types + ", ok-values=" + okValues + ", error-values=" + errorValues
        + ", unhealthy-duration=" + GoDuration.format(unhealthyDuration) + "]";
  }
}
