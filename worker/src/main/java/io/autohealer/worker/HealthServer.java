package io.autohealer.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's health endpoints for Kubernetes probes, on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 while the process is alive, i.e. the Temporal worker is started
 *       and not shut down; 503 otherwise (a liveness probe restarts the pod).
 *   <li>{@code GET /readyz}: 200 when alive and the Temporal frontend answers; 503 otherwise (a
 *       readiness probe, for rollouts and the PodDisruptionBudget).
 * </ul>
 *
 * One daemon thread serves both; the checks are given by the caller so this class knows nothing of
 * Temporal.
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private HealthServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code 0.0.0.0:port} ({@code port} 0: any free port).
   *
   * @param live whether the process works; cheap, never blocks
   * @param ready whether it can do its job now; may block briefly (bounded by the caller)
   */
  public static HealthServer start(int port, BooleanSupplier live, BooleanSupplier ready) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health endpoints on port " + port + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "health-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/healthz", exchange -> answer(exchange, live));
    server.createContext("/readyz", exchange -> answer(exchange, () -> live.getAsBoolean() && ready.getAsBoolean()));
    server.start();
    HealthServer health = new HealthServer(server, executor);
    log.info("Health endpoints on port {}: /healthz, /readyz", health.port());
    return health;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, BooleanSupplier check) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/healthz") && !path.equals("/readyz")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      boolean ok = evaluate(check);
      byte[] body = (ok ? "ok\n" : "unavailable\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(ok ? 200 : 503, -1);
        return;
      }
      exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static boolean evaluate(BooleanSupplier check) {
    try {
      return check.getAsBoolean();
    } catch (RuntimeException e) {
      log.debug("Health check failed", e);
      return false;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
