package io.autohealer.simulator.openstack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Maps method + path templates such as {@code /compute/v2.1/servers/{id}} to handlers. */
final class Router {

  @FunctionalInterface
  interface Handler {
    SimResponse handle(SimRequest request);
  }

  /**
   * @param operation names the call for counting and fault injection; it may look at the request
   *     (a Nova action is named after its body)
   */
  record Route(
      String method,
      String[] segments,
      ApiService service,
      Function<SimRequest, String> operation,
      boolean authenticated,
      Handler handler) {}

  record Match(Route route, Map<String, String> pathParams) {}

  private final List<Route> routes = new ArrayList<>();

  void add(ApiService service, String method, String template, String operation, Handler handler) {
    add(service, method, template, r -> operation, true, handler);
  }

  void add(
      ApiService service,
      String method,
      String template,
      Function<SimRequest, String> operation,
      boolean authenticated,
      Handler handler) {
    routes.add(new Route(method, split(template), service, operation, authenticated, handler));
  }

  Optional<Match> match(String method, String path) {
    String[] actual = split(path);
    for (Route route : routes) {
      if (!route.method().equals(method) || route.segments().length != actual.length) {
        continue;
      }
      Map<String, String> params = matchSegments(route.segments(), actual);
      if (params != null) {
        return Optional.of(new Match(route, params));
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> matchSegments(String[] template, String[] actual) {
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (t.startsWith("{") && t.endsWith("}")) {
        params.put(t.substring(1, t.length() - 1), actual[i]);
      } else if (!t.equals(actual[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String trimmed = path.replaceAll("^/+|/+$", "");
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/+");
  }
}
