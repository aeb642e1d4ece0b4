package io.autohealer.detector;

import io.autohealer.config.ConfigException;
import io.autohealer.config.HealthCheckParams;

/**
 * Builds a {@link HealthCheck} from its config entry. Found with {@link java.util.ServiceLoader}: a
 * deployer adds a check by putting a jar on the class path that lists its factory in {@code
 * META-INF/services/io.autohealer.detector.HealthCheckFactory}; the config then names it by {@link
 * #type()}.
 */
public interface HealthCheckFactory {

  /** The {@code type} of the config entry, e.g. {@code NodeCondition}. */
  String type();

  /**
   * @throws ConfigException when a param is invalid, naming its path (see {@link HealthCheckParams})
   */
  HealthCheck create(HealthCheckParams params);
}
