package io.autohealer.simulator.openstack;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP entry point: finds the route, counts the call, applies injected faults, checks the
 * token, runs the handler and writes the answer.
 */
final class HttpFrontend implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(HttpFrontend.class);

  private final Router router;
  private final CallStats stats;
  private final FaultInjector faults;
  private final TokenStore tokens;
  private final String authUrl;
  private final ActionReporter actions;

  HttpFrontend(Router router, CallStats stats, FaultInjector faults, TokenStore tokens, String authUrl,
      ActionReporter actions) {
    this.actions = actions;
    this.router = router;
    this.stats = stats;
    this.faults = faults;
    this.tokens = tokens;
    this.authUrl = authUrl;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      SimResponse response;
      ApiService service = ApiService.KEYSTONE;
      try {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Optional<Router.Match> match = router.match(method, path);
        if (match.isEmpty()) {
          stats.record("unknown");
          throw ApiException.notFound("No route for " + method + " " + path);
        }
        Router.Route route = match.get().route();
        service = route.service();
        SimRequest request = parse(exchange, match.get().pathParams());
        response = dispatch(route, request);
      } catch (ApiException e) {
        Object body = e.body() != null ? e.body() : service.error(e.status(), e.getMessage());
        response = SimResponse.json(e.status(), body);
        e.headers().forEach(response::header);
      } catch (RuntimeException e) {
        log.warn("simulator handler failed", e);
        response = SimResponse.json(500, service.error(500, "Unexpected error: " + e));
      }
      write(exchange, response);
    }
  }

  private SimResponse dispatch(Router.Route route, SimRequest request) {
    String operation = route.operation().apply(request);
    stats.record(operation);
    sleep(faults.latency(operation));
    Optional<Boolean> hang = faults.takeHang(operation);
    if (hang.isPresent() && !hang.get()) {
      faults.hang();
    }
    try {
      SimResponse response = handle(route, request, operation);
      actions.answered(operation, request, response.status());
      return response;
    } catch (ApiException e) {
      actions.answered(operation, request, e.status());
      throw e;
    } finally {
      if (hang.isPresent() && hang.get()) {
        faults.hang();
      }
    }
  }

  private SimResponse handle(Router.Route route, SimRequest request, String operation) {
    Optional<Integer> injected = faults.injectedStatus(operation);
    if (injected.isPresent()) {
      int status = injected.get();
      return SimResponse.json(status, route.service().error(status, "Injected fault on " + operation));
    }
    if (route.authenticated() && !tokens.isValid(request.header("X-Auth-Token"))) {
      return SimResponse.json(401, ApiService.unauthorized())
          .header("WWW-Authenticate", "Keystone uri=\"" + authUrl + "\"");
    }
    return route.handler().handle(request);
  }

  private static SimRequest parse(HttpExchange exchange, Map<String, String> pathParams)
      throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Map<String, List<String>> headers = new HashMap<>(exchange.getRequestHeaders());
    Map<String, String> decoded = new HashMap<>();
    pathParams.forEach((k, v) -> decoded.put(k, URLDecoder.decode(v, StandardCharsets.UTF_8)));
    return new SimRequest(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getPath(),
        decoded,
        query(exchange.getRequestURI().getRawQuery()),
        headers,
        body);
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> result = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return result;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      result.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return result;
  }

  private static void write(HttpExchange exchange, SimResponse response) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("x-openstack-request-id", "req-" + UUID.randomUUID());
    response.headers().forEach(headers::set);
    byte[] body =
        response.body() == null ? new byte[0] : Json.MAPPER.writeValueAsBytes(response.body());
    if (body.length > 0) {
      headers.set("Content-Type", "application/json");
    }
    boolean noBody = body.length == 0 || response.status() == 204 || response.status() == 304;
    exchange.sendResponseHeaders(response.status(), noBody ? -1 : body.length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void sleep(Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
