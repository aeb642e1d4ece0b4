package io.autohealer.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void answersFromTheChecks() throws Exception {
    AtomicBoolean live = new AtomicBoolean(true);
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthServer server = HealthServer.start(0, live::get, ready::get)) {
      assertEquals(200, status(server, "/healthz"));
      assertEquals(503, status(server, "/readyz"));
      ready.set(true);
      assertEquals(200, status(server, "/readyz"));
      live.set(false);
      assertEquals(503, status(server, "/healthz"));
      assertEquals(503, status(server, "/readyz"));
      assertEquals(404, status(server, "/healthz/x"));
    }
  }

  @Test
  void aFailingCheckIsUnavailableNotAnError() throws Exception {
    try (HealthServer server = HealthServer.start(0, () -> true, () -> {
      throw new IllegalStateException("Temporal unreachable");
    })) {
      assertEquals(503, status(server, "/readyz"));
      assertEquals(200, status(server, "/healthz"));
    }
  }

  private int status(HealthServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
