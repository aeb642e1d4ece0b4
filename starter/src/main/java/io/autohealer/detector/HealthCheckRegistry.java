package io.autohealer.detector;

import io.autohealer.config.ConfigException;
import io.autohealer.config.HealthCheckSettings;
import io.autohealer.config.HealthCheckSpec;
import io.autohealer.workflows.NodeRole;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The health-check factories by type, and the building of each role's checks from the config. */
public final class HealthCheckRegistry {
  private static final Logger log = LoggerFactory.getLogger(HealthCheckRegistry.class);

  private final Map<String, HealthCheckFactory> factories;

  private HealthCheckRegistry(Iterable<? extends HealthCheckFactory> factories) {
    Map<String, HealthCheckFactory> byType = new LinkedHashMap<>();
    for (HealthCheckFactory factory : factories) {
      HealthCheckFactory earlier = byType.putIfAbsent(factory.type(), factory);
      if (earlier != null) {
        throw new IllegalStateException(
            "health check type " + factory.type() + " is registered twice: by "
                + earlier.getClass().getName() + " and " + factory.getClass().getName());
      }
    }
    this.factories = byType;
  }

  /** Every factory on the class path ({@link java.util.ServiceLoader}). */
  public static HealthCheckRegistry load() {
    return new HealthCheckRegistry(ServiceLoader.load(HealthCheckFactory.class));
  }

  public static HealthCheckRegistry of(HealthCheckFactory... factories) {
    return new HealthCheckRegistry(List.of(factories));
  }

  /** The types the config may name, for {@link io.autohealer.config.ConfigLoader.Builder#healthCheckTypes}. */
  public List<String> types() {
    return List.copyOf(factories.keySet());
  }

  /**
   * Builds each role's checks. A check that does not support the role is skipped with a warning,
   * as in Go; a {@link DeferredCheck} is reported and left out.
   *
   * @throws ConfigException for an unknown type or invalid params
   */
  public HealthChecks build(HealthCheckSettings settings) {
    return new HealthChecks(build(settings.master(), NodeRole.MASTER), build(settings.worker(), NodeRole.WORKER));
  }

  private List<HealthCheck> build(List<HealthCheckSpec> specs, NodeRole role) {
    String roleName = role.name().toLowerCase();
    List<HealthCheck> checks = new ArrayList<>();
    for (HealthCheckSpec spec : specs) {
      HealthCheckFactory factory = factories.get(spec.type());
      if (factory == null) {
        throw new ConfigException(
            spec.path() + ".type: unknown plugin \"" + spec.type() + "\" (expected one of "
                + String.join(", ", factories.keySet()) + ")");
      }
      HealthCheck check = factory.create(spec.params());
      // As for the other sections: a key the check never read is reported, not silently defaulted.
      spec.params().unreadKeyPaths().forEach(key -> log.warn("unknown config key {} is ignored", key));
      boolean supported = role == NodeRole.MASTER ? check.supportsMaster() : check.supportsWorker();
      if (!supported) {
        log.warn("{}: the {} check does not support {} nodes; skipped", spec.path(), spec.type(), roleName);
      } else if (check instanceof DeferredCheck) {
        log.warn(
            "{}: the {} check is accepted but not evaluated yet; the other checks of {} nodes still run",
            spec.path(), spec.type(), roleName);
      } else {
        checks.add(check);
      }
    }
    return checks;
  }
}
