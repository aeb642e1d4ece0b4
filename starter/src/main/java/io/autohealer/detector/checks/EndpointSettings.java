package io.autohealer.detector.checks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The params of one {@code type: Endpoint} entry, with the Go plugin's defaults.
 *
 * @param protocol {@code http} or {@code https} ({@code https})
 * @param port port on the node ({@code 6443}, the kube-apiserver on masters)
 * @param endpoints paths, each GET in turn, leading {@code /} optional ({@code [/healthz]})
 * @param okCodes accepted status codes ({@code [200]})
 * @param unhealthyDuration how long probes must keep failing before the check fails ({@code 300s})
 * @param unhealthyAnnotation the Node annotation that records when failing began ({@code
 *     autohealing.openstack.org/unhealthy-timestamp}), as the Go service writes it
 * @param requireToken send {@code Authorization: Bearer <token>} ({@code false})
 * @param token the token to send; when empty, {@code tokenFile} is read
 * @param tokenFile ours: where the token is read from when {@code token} is empty ({@code
 *     /var/run/secrets/kubernetes.io/serviceaccount/token})
 * @param timeout ours: the time one GET may take, connect to status line ({@code 5s}, Go's)
 * @param concurrency ours: probes running at once for this entry ({@code 16})
 */
public record EndpointSettings(
    String protocol,
    int port,
    List<String> endpoints,
    Set<Integer> okCodes,
    Duration unhealthyDuration,
    String unhealthyAnnotation,
    boolean requireToken,
    String token,
    Path tokenFile,
    Duration timeout,
    int concurrency) {

  public static final String DEFAULT_PROTOCOL = "https";
  public static final int DEFAULT_PORT = 6443;
  public static final List<String> DEFAULT_ENDPOINTS = List.of("/healthz");
  public static final List<Integer> DEFAULT_OK_CODES = List.of(200);
  public static final Duration DEFAULT_UNHEALTHY_DURATION = Duration.ofSeconds(300);
  public static final String DEFAULT_ANNOTATION = "autohealing.openstack.org/unhealthy-timestamp";
  public static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_CONCURRENCY = 16;

  public EndpointSettings {
    endpoints = List.copyOf(endpoints);
    okCodes = Set.copyOf(okCodes);
  }

  /** The Go defaults with {@code protocol} and {@code port} of choice (tests, tools). */
  public static EndpointSettings defaults(String protocol, int port) {
    return new EndpointSettings(protocol, port, DEFAULT_ENDPOINTS, Set.copyOf(DEFAULT_OK_CODES),
        DEFAULT_UNHEALTHY_DURATION, DEFAULT_ANNOTATION, false, "", SERVICE_ACCOUNT_TOKEN, DEFAULT_TIMEOUT,
        DEFAULT_CONCURRENCY);
  }

  /** The path as Go builds it: a leading {@code /} trimmed, then one added. */
  static String path(String endpoint) {
    return "/" + (endpoint.startsWith("/") ? endpoint.substring(1) : endpoint);
  }
}
