package io.autohealer.detector.checks;

import io.autohealer.config.HealthCheckParams;
import io.autohealer.detector.HealthCheck;
import io.autohealer.detector.HealthCheckFactory;
import java.time.Duration;
import java.util.List;

/** {@code type: NodeCondition}, with the Go plugin's params and defaults. */
public final class NodeConditionCheckFactory implements HealthCheckFactory {
  public static final String TYPE = "NodeCondition";
  static final List<String> DEFAULT_TYPES = List.of("Ready");
  static final List<String> DEFAULT_OK_VALUES = List.of("True");
  static final Duration DEFAULT_UNHEALTHY_DURATION = Duration.ofSeconds(300);

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public HealthCheck create(HealthCheckParams params) {
    return new NodeConditionCheck(
        params.stringList("types", DEFAULT_TYPES),
        params.stringList("ok-values", DEFAULT_OK_VALUES),
        params.stringList("error-values", List.of()),
        params.duration("unhealthy-duration", DEFAULT_UNHEALTHY_DURATION));
  }
}
