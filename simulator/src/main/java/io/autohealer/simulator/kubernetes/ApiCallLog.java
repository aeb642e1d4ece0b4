package io.autohealer.simulator.kubernetes;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the API calls of every client but the simulator's own, in the terms of RBAC rules:
 * {@code verb group/resource[/subresource]}, the core group being empty ({@code get /nodes},
 * {@code create /pods/eviction}, {@code list storage.k8s.io/volumeattachments}). Add it with
 * {@link KubernetesSimulator#addInterceptor}; it never answers a request.
 */
public final class ApiCallLog implements ApiInterceptor {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public MockResponse intercept(RecordedRequest request) {
    if (!ApiInterceptor.fromSimulator(request)) {
      counts.computeIfAbsent(describe(request.getMethod(), request.getPath()), k -> new LongAdder()).increment();
    }
    return null;
  }

  /** Calls seen so far, sorted, with how often each was made. */
  public Map<String, Long> counts() {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((call, n) -> sorted.put(call, n.sum()));
    return sorted;
  }

  public void clear() {
    counts.clear();
  }

  /** {@code verb group/resource[/subresource]} of a request, as an RBAC rule names what it needs. */
  static String describe(String method, String path) {
    int query = path.indexOf('?');
    String route = query < 0 ? path : path.substring(0, query);
    boolean watch = query >= 0 && path.substring(query + 1).matches("(.*&)?watch=(true|1)(&.*)?");
    List<String> segments = new ArrayList<>(Arrays.asList(route.replaceAll("^/+|/+$", "").split("/")));
    String group;
    if (segments.size() >= 2 && segments.get(0).equals("api")) {
      group = "";
      segments = segments.subList(2, segments.size());
    } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      segments = segments.subList(3, segments.size());
    } else {
      return method.toLowerCase() + " " + route;
    }
    if (segments.size() >= 3 && segments.get(0).equals("namespaces")) {
      segments = segments.subList(2, segments.size());
    }
    if (segments.isEmpty()) {
      return method.toLowerCase() + " " + route;
    }
    String resource = segments.get(0) + (segments.size() >= 3 ? "/" + segments.get(2) : "");
    boolean named = segments.size() >= 2;
    String verb = switch (method.toUpperCase()) {
      case "GET" -> named ? "get" : watch ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase();
    };
    return verb + " " + group + "/" + resource;
  }
}
