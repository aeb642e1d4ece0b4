package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * Maps Kubernetes API errors to Temporal's retry semantics: server errors, throttling, conflicts,
 * timeouts and connection failures stay retryable (they are rethrown as they are); any other 4xx
 * fails the activity at once, because retrying a forbidden or malformed call cannot succeed.
 */
public final class KubernetesFailures {
  /** Failure type of a permanent API error. */
  public static final String API_ERROR = "KubernetesApiError";
  /** Failure type when the node to act on does not exist. */
  public static final String NODE_NOT_FOUND = "NodeNotFound";
  /**
   * Failure type when a wait ended without a single successful read of what it waits for: it
   * cannot answer, so the attempt fails and Temporal retries it.
   */
  public static final String UNAVAILABLE = "KubernetesUnavailable";

  private KubernetesFailures() {}

  /** Runs one API call named {@code operation} (e.g. "patch node k8s-node-1"). */
  public static <T> T call(String operation, Supplier<T> apiCall) {
    try {
      return apiCall.get();
    } catch (KubernetesClientException e) {
      throw isRetryable(e) ? e : permanent(operation, e);
    }
  }

  public static boolean isRetryable(KubernetesClientException e) {
    int code = e.getCode();
    // code 0: no HTTP response at all (connection refused, reset, client-side timeout)
    return code == 0 || code >= 500 || code == 408 || code == 409 || code == 429;
  }

  public static ApplicationFailure permanent(String operation, KubernetesClientException e) {
    String reason = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
    return ApplicationFailure.newNonRetryableFailureWithCause(
        "Kubernetes API call '%s' failed with HTTP %d: %s".formatted(operation, e.getCode(), reason),
        API_ERROR,
        e);
  }

  public static ApplicationFailure nodeNotFound(String node, String operation) {
    return ApplicationFailure.newNonRetryableFailure(
        "Cannot %s: Node %s does not exist".formatted(operation, node), NODE_NOT_FOUND);
  }

  public static ApplicationFailure unavailable(String operation) {
    return ApplicationFailure.newFailure(
        "Cannot answer: the Kubernetes API did not answer '%s' before the timeout".formatted(operation), UNAVAILABLE);
  }
}
