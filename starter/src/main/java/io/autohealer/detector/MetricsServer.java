package io.autohealer.detector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The detector's HTTP endpoint ({@code metrics-port}), with the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format;
 *   <li>{@code GET /healthz}: 200 while the process runs (liveness);
 *   <li>{@code GET /readyz}: 200 when the detector is ready (a standby replica, or the leader whose
 *       Node informer is synced and watching), else 503 (readiness).
 * </ul>
 */
public final class MetricsServer implements AutoCloseable {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Binds the port (all addresses) and starts serving.
   *
   * @param port the port, or 0 for any free one (tests)
   * @param readiness null when ready, else why not
   * @throws UncheckedIOException when the port cannot be bound
   */
  public MetricsServer(int port, PrometheusMeterRegistry registry, Supplier<String> readiness) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
    }
    server.createContext("/metrics", get(exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape())));
    server.createContext("/healthz", get(exchange -> respond(exchange, 200, "text/plain; charset=utf-8", "ok\n")));
    server.createContext("/readyz", get(exchange -> {
      String notReady = readiness.get();
      if (notReady == null) {
        respond(exchange, 200, "text/plain; charset=utf-8", "ok\n");
      } else {
        respond(exchange, 503, "text/plain; charset=utf-8", notReady + "\n");
      }
    }));
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "metrics-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
  }

  /** A readiness from a yes/no answer and the reason to give for no. */
  public static Supplier<String> readiness(BooleanSupplier ready, String whyNot) {
    return () -> ready.getAsBoolean() ? null : whyNot;
  }

  /** The port bound (useful with 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static HttpHandler get(HttpHandler handler) {
    return exchange -> {
      try {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
        } else if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
          respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
        } else {
          handler.handle(exchange);
        }
      } catch (RuntimeException e) {
        respond(exchange, 500, "text/plain; charset=utf-8", "error: " + e + "\n");
      } finally {
        exchange.close();
      }
    };
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
