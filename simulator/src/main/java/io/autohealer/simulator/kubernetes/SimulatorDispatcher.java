package io.autohealer.simulator.kubernetes;

import io.autohealer.worker.kubernetes.NodeConditions;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRUD store plus what it lacks: the pods/eviction subresource with PodDisruptionBudget
 * semantics, graceful pod deletion that waits for the node's kubelet, the {@code spec.nodeName}
 * field selector on pod lists, and interceptors for fault injection. Everything runs in-process on
 * the server's event loop; calling a client from here would deadlock.
 */
final class SimulatorDispatcher extends KubernetesCrudDispatcher implements InProcessStore {
  private static final Pattern EVICTION =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?$");
  private static final Pattern POD = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)(\\?.*)?$");
  private static final Headers JSON_PATCH = Headers.builder().add("Content-Type", "application/json-patch+json").build();

  private final List<ApiInterceptor> interceptors = new CopyOnWriteArrayList<>();
  private final KubernetesSerialization json = new KubernetesSerialization();
  private volatile Predicate<String> kubeletRunning = this::kubeletPostsStatus;
  private final PodTerminations terminations = new PodTerminations(this, node -> kubeletRunning.test(node));
  private final PodEvictions evictions = new PodEvictions(this, terminations);

  void addInterceptor(ApiInterceptor interceptor) {
    interceptors.add(interceptor);
  }

  void removeInterceptor(ApiInterceptor interceptor) {
    interceptors.remove(interceptor);
  }

  void kubeletRunning(Predicate<String> running) {
    kubeletRunning = running;
  }

  boolean isKubeletRunning(String node) {
    return kubeletRunning.test(node);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    for (ApiInterceptor interceptor : interceptors) {
      MockResponse response = interceptor.intercept(request);
      if (response != null) {
        return response;
      }
    }
    String path = request.getPath();
    if (request.method() == HttpMethod.POST) {
      Matcher eviction = EVICTION.matcher(path);
      if (eviction.matches()) {
        return evictions.evict(eviction.group(1), eviction.group(2), body(request));
      }
    } else if (request.method() == HttpMethod.DELETE) {
      Matcher pod = POD.matcher(path);
      if (pod.matches()) {
        return deletePod(pod.group(1), pod.group(2), body(request));
      }
    } else if (request.method() == HttpMethod.GET) {
      MockResponse pods = PodFieldSelectors.list(path, this::handleGet);
      if (pods != null) {
        return pods;
      }
    }
    return super.dispatch(request);
  }

  @Override
  public MockResponse get(String path) {
    return handleGet(path);
  }

  @Override
  public MockResponse delete(String path) {
    return handleDelete(path);
  }

  @Override
  public MockResponse jsonPatch(String path, String patch) {
    return handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, path, JSON_PATCH,
        new Buffer(patch.getBytes(StandardCharsets.UTF_8))));
  }

  private MockResponse deletePod(String namespace, String name, String body) {
    MockResponse found = handleGet("/api/v1/namespaces/%s/pods/%s".formatted(namespace, name));
    if (found.code() != 200) {
      return found;
    }
    Pod pod = json.unmarshal(utf8(found.getBody()), Pod.class);
    DeleteOptions options = body.isBlank() ? null : json.unmarshal(body, DeleteOptions.class);
    return terminations.delete(pod, options);
  }

  /**
   * The default view of kubelets: one runs unless its Node's Ready condition is Unknown, the node
   * controller's sign of a silent kubelet. A pod bound to no existing Node has nothing to wait for
   * (the pod garbage collector would remove it), so it counts as running too.
   */
  private boolean kubeletPostsStatus(String nodeName) {
    MockResponse found = handleGet("/api/v1/nodes/" + nodeName);
    if (found.code() != 200) {
      return true;
    }
    return !NodeConditions.UNKNOWN.equals(NodeConditions.readyStatus(json.unmarshal(utf8(found.getBody()), Node.class)));
  }

  private static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : utf8(request.getBody());
  }

  private static String utf8(Buffer buffer) {
    return new String(buffer.getBytes(), StandardCharsets.UTF_8);
  }
}
