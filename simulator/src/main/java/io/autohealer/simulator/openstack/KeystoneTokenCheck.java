package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates tokens against an {@link ExternalKeystone}, as keystonemiddleware does: a valid answer
 * is cached until the token's own expiry (never longer), so a busy simulator does not ask Keystone
 * on every call. The service user's token is renewed shortly before it expires and when Keystone refuses it.
 */
final class KeystoneTokenCheck implements TokenCheck {
  private static final Logger log = LoggerFactory.getLogger(KeystoneTokenCheck.class);
  private static final Duration SERVICE_TOKEN_MARGIN = Duration.ofSeconds(5);
  private static final int ATTEMPTS = 5;

  private final ExternalKeystone keystone;
  private final String projectId;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Instant> valid = new ConcurrentHashMap<>();
  private volatile String serviceToken;
  private volatile Instant serviceTokenExpires = Instant.MIN;

  KeystoneTokenCheck(ExternalKeystone keystone, String projectId, Clock clock) {
    this.keystone = keystone;
    this.projectId = projectId;
    this.clock = clock;
  }

  @Override
  public boolean accepts(String token) {
    if (token == null || token.isBlank()) {
      return false;
    }
    Instant now = clock.instant();
    Instant expires = valid.get(token);
    if (expires != null) {
      if (now.isBefore(expires)) {
        return true;
      }
      valid.remove(token);
      return false;
    }
    return validate(token, now);
  }

  private boolean validate(String token, Instant now) {
    boolean serviceTokenRefused = false;
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(keystone.authUrl() + "/auth/tokens"))
          .header("X-Auth-Token", serviceToken(serviceTokenRefused))
          .header("X-Subject-Token", token)
          .header("Accept", "application/json")
          .GET());
      int status = r == null ? 0 : r.statusCode();
      serviceTokenRefused = status == 401;
      if (status == 200) {
        JsonNode body = read(r.body());
        Instant expires = Instant.parse(body.at("/token/expires_at").asText());
        String project = body.at("/token/project/id").asText(null);
        if (!projectId.equals(project)) {
          log.info("refusing a token of project {} (the simulated services serve project {})",
              project, projectId);
          return false;
        }
        if (now.isBefore(expires)) {
          valid.put(token, expires);
          return true;
        }
        return false;
      }
      if (status == 404) {
        return false; // expired, revoked or never issued
      }
      if (attempt == ATTEMPTS) {
        throw new IllegalStateException("Keystone cannot validate a token: " + status
            + (r == null ? "" : " " + r.body()));
      }
      // 401: our service token expired; 5xx: SQLite busy in the test Keystone; 0: a dropped connection.
      sleep(100L * attempt);
    }
  }

  private synchronized String serviceToken(boolean refused) {
    boolean fresh = serviceToken != null
        && clock.instant().isBefore(serviceTokenExpires.minus(SERVICE_TOKEN_MARGIN));
    if (!refused && fresh) {
      return serviceToken;
    }
    ObjectNode auth = Json.object();
    ObjectNode identity = auth.putObject("auth").putObject("identity");
    identity.putArray("methods").add("password");
    identity.putObject("password").putObject("user")
        .put("id", keystone.serviceUserId()).put("password", keystone.servicePassword());
    auth.with("auth").putObject("scope").putObject("project").put("id", keystone.serviceProjectId());
    String body = auth.toString();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(keystone.authUrl() + "/auth/tokens"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)));
      if (r != null && r.statusCode() == 201) {
        serviceToken = r.headers().firstValue("X-Subject-Token").orElseThrow();
        serviceTokenExpires = Instant.parse(read(r.body()).at("/token/expires_at").asText());
        return serviceToken;
      }
      if (attempt == ATTEMPTS || (r != null && r.statusCode() < 500)) {
        throw new IllegalStateException("the simulated services cannot authenticate with Keystone as "
            + keystone.serviceUserId() + ": " + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
      }
      sleep(100L * attempt);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // Keystone's wsgiref server closes each connection; a reused one may already be gone.
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode read(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("Keystone answered no JSON: " + body, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
