package io.autohealer.detector.checks;

import io.autohealer.config.HealthCheckParams;
import io.autohealer.detector.DeferredCheck;
import io.autohealer.detector.HealthCheck;
import io.autohealer.detector.HealthCheckFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code type: Endpoint} (the Go plugin that GETs {@code <protocol>://<InternalIP>:<port>/<path>} on
 * masters). Its params are validated with the Go defaults so that a config is checked in full at
 * start-up, but the probe itself is not implemented yet: the check is a {@link DeferredCheck}.
 */
public final class EndpointCheckFactory implements HealthCheckFactory {
  public static final String TYPE = "Endpoint";
  public static final String NAME = "EndpointCheck";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public HealthCheck create(HealthCheckParams params) {
    String protocol = params.string("protocol", "https").toLowerCase(Locale.ROOT);
    if (!protocol.equals("http") && !protocol.equals("https")) {
      throw params.invalid("protocol", "unsupported \"" + protocol + "\" (expected http or https)");
    }
    int port = params.integer("port", 6443);
    if (port < 1 || port > 65535) {
      throw params.invalid("port", port + " is not a port (expected 1 to 65535)");
    }
    params.stringList("endpoints", List.of("/healthz"));
    params.integerList("ok-codes", List.of(200));
    params.duration("unhealthy-duration", Duration.ofSeconds(300));
    params.string("unhealthy-annotation", "autohealing.openstack.org/unhealthy-timestamp");
    params.bool("require-token", false);
    params.string("token", "");
    return new DeferredCheck(NAME, true, false);
  }
}
