package io.autohealer.detector.checks;

import io.autohealer.config.HealthCheckParams;
import io.autohealer.detector.HealthCheck;
import io.autohealer.detector.HealthCheckFactory;
import java.time.Duration;
import java.util.List;

/**
 * {@code type: NodeCondition}, with the Go plugin's params and defaults. Unlike Go, a list that
 * would make the check pass or fail every node whatever its state is a config error: no
 * {@code types}, no {@code ok-values} (with no {@code error-values}), or a status other than
 * Kubernetes' {@code True}, {@code False} and {@code Unknown} (e.g. {@code "true"}, which no
 * condition ever has, so every node would look unhealthy).
 */
public final class NodeConditionCheckFactory implements HealthCheckFactory {
  public static final String TYPE = "NodeCondition";
  static final List<String> DEFAULT_TYPES = List.of("Ready");
  static final List<String> DEFAULT_OK_VALUES = List.of("True");
  static final Duration DEFAULT_UNHEALTHY_DURATION = Duration.ofSeconds(300);
  private static final List<String> STATUSES = List.of("True", "False", "Unknown");

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public HealthCheck create(HealthCheckParams params) {
    List<String> types = params.stringList("types", DEFAULT_TYPES);
    if (types.isEmpty()) {
      throw params.invalid("types", "must list at least one condition type (e.g. [Ready])");
    }
    List<String> okValues = statuses(params, "ok-values", DEFAULT_OK_VALUES);
    List<String> errorValues = statuses(params, "error-values", List.of());
    if (okValues.isEmpty() && errorValues.isEmpty()) {
      throw params.invalid("ok-values", "must list at least one status (e.g. [True]) when error-values is empty");
    }
    return new NodeConditionCheck(types, okValues, errorValues,
        params.duration("unhealthy-duration", DEFAULT_UNHEALTHY_DURATION));
  }

  private static List<String> statuses(HealthCheckParams params, String key, List<String> fallback) {
    List<String> values = params.stringList(key, fallback);
    for (String value : values) {
      if (!STATUSES.contains(value)) {
        throw params.invalid(key, "\"" + value + "\" is not a condition status (expected True, False or Unknown)");
      }
    }
    return values;
  }
}
