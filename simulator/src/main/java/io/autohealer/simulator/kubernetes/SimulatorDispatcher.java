package io.autohealer.simulator.kubernetes;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRUD store plus what it lacks: the pods/eviction subresource with PodDisruptionBudget
 * semantics, and interceptors for fault injection. Everything runs in-process on the server's
 * event loop; calling a client from here would deadlock.
 */
final class SimulatorDispatcher extends KubernetesCrudDispatcher {
  private static final Pattern EVICTION =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?$");

  private final List<ApiInterceptor> interceptors = new CopyOnWriteArrayList<>();
  private final PodEvictions evictions = new PodEvictions(this::handleGet, this::handleDelete);

  void addInterceptor(ApiInterceptor interceptor) {
    interceptors.add(interceptor);
  }

  void removeInterceptor(ApiInterceptor interceptor) {
    interceptors.remove(interceptor);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    for (ApiInterceptor interceptor : interceptors) {
      MockResponse response = interceptor.intercept(request);
      if (response != null) {
        return response;
      }
    }
    if (request.method() == HttpMethod.POST) {
      Matcher eviction = EVICTION.matcher(request.getPath());
      if (eviction.matches()) {
        return evictions.evict(eviction.group(1), eviction.group(2));
      }
    }
    return super.dispatch(request);
  }
}
