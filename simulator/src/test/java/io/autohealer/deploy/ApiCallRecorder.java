package io.autohealer.deploy;

import io.autohealer.simulator.kubernetes.ApiInterceptor;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every request to the simulated API server but the simulator's own (kubelets, set-up). */
final class ApiCallRecorder implements ApiInterceptor {
  private final List<ApiCall> calls = new CopyOnWriteArrayList<>();
  private final List<String> unparsed = new CopyOnWriteArrayList<>();

  @Override
  public MockResponse intercept(RecordedRequest request) {
    if (!ApiInterceptor.fromSimulator(request)) {
      ApiCall call = ApiCall.parse(request.getMethod(), request.getPath());
      if (call == null) {
        unparsed.add(request.getMethod() + " " + request.getPath());
      } else {
        calls.add(call);
      }
    }
    return null;
  }

  List<ApiCall> calls() {
    return List.copyOf(calls);
  }

  /** Requests that name no resource (e.g. /version): RBAC's non-resource URLs. */
  List<String> nonResourceRequests() {
    return List.copyOf(unparsed);
  }
}
