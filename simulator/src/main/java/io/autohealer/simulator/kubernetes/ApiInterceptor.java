package io.autohealer.simulator.kubernetes;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Sees every request before the simulated API server handles it, to inject faults (errors,
 * latency with {@link MockResponse#setBodyDelay}) or count calls. Runs on the server's event loop:
 * it must be quick and must never call a Kubernetes client.
 */
@FunctionalInterface
public interface ApiInterceptor {
  /** Returns the response to send instead, or null to let the request through. */
  MockResponse intercept(RecordedRequest request);

  /** The user agent of the simulator's own client, so that faults can spare the kubelets. */
  static boolean fromSimulator(RecordedRequest request) {
    String agent = request.getHeader("User-Agent");
    return agent != null && agent.startsWith(KubernetesSimulator.USER_AGENT);
  }
}
