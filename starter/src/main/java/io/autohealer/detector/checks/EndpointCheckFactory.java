package io.autohealer.detector.checks;

import io.autohealer.config.HealthCheckParams;
import io.autohealer.detector.HealthCheck;
import io.autohealer.detector.HealthCheckFactory;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code type: Endpoint}, with the Go plugin's params and defaults ({@link EndpointSettings}):
 * {@code protocol}, {@code port}, {@code endpoints}, {@code ok-codes}, {@code unhealthy-duration},
 * {@code unhealthy-annotation}, {@code require-token}, {@code token}; and ours: {@code token-file},
 * {@code timeout}, {@code concurrency}. Every invalid value is a config error naming its key (the Go
 * service panics on a protocol other than http or https).
 */
public final class EndpointCheckFactory implements HealthCheckFactory {
  public static final String TYPE = "Endpoint";
  public static final String NAME = EndpointCheck.NAME;
  private static final Logger log = LoggerFactory.getLogger(EndpointCheckFactory.class);
  private static final int MAX_CONCURRENCY = 256;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public HealthCheck create(HealthCheckParams params) {
    return new EndpointCheck(settings(params), params.path().replaceFirst("\\.params$", ""));
  }

  /** The validated settings of one entry. */
  public static EndpointSettings settings(HealthCheckParams params) {
    String protocol = params.string("protocol", EndpointSettings.DEFAULT_PROTOCOL).trim().toLowerCase(Locale.ROOT);
    if (!protocol.equals("http") && !protocol.equals("https")) {
      throw params.invalid("protocol", "unsupported \"" + protocol + "\" (expected http or https)");
    }
    int port = params.integer("port", EndpointSettings.DEFAULT_PORT);
    if (port < 1 || port > 65535) {
      throw params.invalid("port", port + " is not a port (expected 1 to 65535)");
    }
    List<String> endpoints = params.stringList("endpoints", EndpointSettings.DEFAULT_ENDPOINTS);
    for (String endpoint : endpoints) {
      try {
        EndpointProber.url(protocol, "127.0.0.1", port, endpoint);
      } catch (IllegalArgumentException e) {
        throw params.invalid("endpoints", "\"" + endpoint + "\" is not a URL path");
      }
    }
    if (endpoints.isEmpty()) {
      log.warn("{}: endpoints is empty: the Endpoint check probes nothing and passes every node (as in Go)",
          params.path());
    }
    Set<Integer> okCodes = new LinkedHashSet<>(params.integerList("ok-codes", EndpointSettings.DEFAULT_OK_CODES));
    for (int code : okCodes) {
      if (code < 100 || code > 599) {
        throw params.invalid("ok-codes", code + " is not an HTTP status code (expected 100 to 599)");
      }
    }
    if (okCodes.isEmpty()) {
      throw params.invalid("ok-codes", "must list at least one status code (e.g. [200])");
    }
    Duration unhealthyDuration = params.duration("unhealthy-duration", EndpointSettings.DEFAULT_UNHEALTHY_DURATION);
    String annotation = params.string("unhealthy-annotation", EndpointSettings.DEFAULT_ANNOTATION).trim();
    if (annotation.isEmpty()) {
      throw params.invalid("unhealthy-annotation", "must not be empty");
    }
    boolean requireToken = params.bool("require-token", false);
    String token = params.string("token", "");
    Path tokenFile;
    String tokenFileText = params.string("token-file", EndpointSettings.SERVICE_ACCOUNT_TOKEN.toString());
    try {
      tokenFile = Path.of(tokenFileText);
    } catch (InvalidPathException e) {
      throw params.invalid("token-file", "\"" + tokenFileText + "\" is not a path");
    }
    Duration timeout = params.duration("timeout", EndpointSettings.DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw params.invalid("timeout", "must be more than 0 (e.g. 5s)");
    }
    int concurrency = params.integer("concurrency", EndpointSettings.DEFAULT_CONCURRENCY);
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw params.invalid("concurrency", concurrency + " is out of range (expected 1 to " + MAX_CONCURRENCY + ")");
    }
    return new EndpointSettings(protocol, port, endpoints, okCodes, unhealthyDuration, annotation, requireToken,
        token, tokenFile, timeout, concurrency);
  }
}
