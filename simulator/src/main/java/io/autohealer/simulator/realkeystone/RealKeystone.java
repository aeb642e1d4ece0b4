package io.autohealer.simulator.realkeystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autohealer.simulator.process.ManagedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Keystone (Debian's {@code keystone} package, {@code bin/tools/install-keystone}) on SQLite
 * in a temporary folder, served by {@code keystone-wsgi-public} on loopback, with a templated
 * catalog that points compute, container-infra (name {@code magnum}), orchestration and volumev3 at
 * URLs of the caller's choice (the simulated Nova, Magnum, Heat, Cinder).
 *
 * <p>Bootstrapped with {@code keystone-manage}: admin user and project {@code admin} (role admin),
 * then through the API a project {@value #PROJECT}, a user {@value #CLUSTER_OWNER} (role member
 * there, the trustor, as the owner of a Magnum cluster), a user {@value #TRUSTEE} (Magnum's trustee
 * user) and a trust from the owner to the trustee with role member and impersonation, as Magnum
 * creates for each cluster. Every user has the password {@link #password()}. The cluster owner
 * also has an application credential {@value #APPLICATION_CREDENTIAL} in the project ({@link
 * #applicationCredentialId()}, {@link #applicationCredentialSecret()}). A user {@value
 * #SERVICE_USER} with role service in project {@value #SERVICE_PROJECT} validates tokens for the
 * simulated services, as keystonemiddleware's service user does.
 *
 * <p>Tokens live {@link #start(Map, Duration)}'s expiration ({@code [token] expiration}), one hour
 * by default.
 *
 * <p>Keystone on SQLite under the single-threaded wsgiref server sometimes answers a write with
 * 500 "database is locked" (docs/real-kubernetes.md); the few writes made here are retried.
 */
public final class RealKeystone implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RealKeystone.class);
  public static final String HOST = ManagedProcess.LOOPBACK;
  public static final String REGION = "RegionOne";
  public static final String DOMAIN = "Default";
  public static final String PROJECT = "magnum-cluster-project";
  public static final String CLUSTER_OWNER = "cluster-owner";
  public static final String TRUSTEE = "healer-trustee";
  public static final String SERVICE_USER = "simulated-services";
  public static final String SERVICE_PROJECT = "service";
  public static final String APPLICATION_CREDENTIAL = "autohealer";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final Path workDir;
  private final String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private int port;
  private ManagedProcess process;
  private String projectId;
  private String ownerId;
  private String trusteeId;
  private String trustId;
  private String serviceUserId;
  private String serviceProjectId;
  private String applicationCredentialId;
  private final String applicationCredentialSecret =
      "ac-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  private final Duration tokenExpiration;

  private RealKeystone(Path workDir, Duration tokenExpiration) {
    this.workDir = workDir;
    this.tokenExpiration = tokenExpiration;
  }

  /** True when {@code keystone-manage} and {@code keystone-wsgi-public} are on the PATH. */
  public static boolean installed() {
    return onPath("keystone-manage").isPresent() && onPath("keystone-wsgi-public").isPresent();
  }

  /** One line: what is missing and the command that installs it. */
  public static String missingMessage() {
    return "Keystone not installed (keystone-manage, keystone-wsgi-public): install it with "
        + "bin/tools/install-keystone (root, Debian's keystone package, about a minute)";
  }

  /**
   * Starts Keystone with a catalog for {@code services}: service type to public URL (may contain
   * {@code $(project_id)s}); see {@link #simulatorCatalog(String)}.
   */
  public static RealKeystone start(Map<String, String> services) {
    return start(services, Duration.ofHours(1));
  }

  /** As {@link #start(Map)}, with tokens that expire {@code tokenExpiration} after they are issued. */
  public static RealKeystone start(Map<String, String> services, Duration tokenExpiration) {
    if (tokenExpiration.toSeconds() < 1) {
      throw new IllegalArgumentException("token expiration must be at least a second: " + tokenExpiration);
    }
    if (!installed()) {
      throw new IllegalStateException(missingMessage());
    }
    RealKeystone k;
    try {
      k = new RealKeystone(Files.createTempDirectory("real-keystone-"), tokenExpiration);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      k.launch(services);
      return k;
    } catch (RuntimeException e) {
      k.close();
      throw e;
    }
  }

  /** The catalog of the simulator's OpenStack at {@code baseUrl} (paths as in research §5). */
  public static Map<String, String> simulatorCatalog(String baseUrl) {
    Map<String, String> services = new LinkedHashMap<>();
    services.put("compute", baseUrl + "/compute/v2.1");
    services.put("container-infra", baseUrl + "/magnum/v1");
    services.put("orchestration", baseUrl + "/heat/v1/$(project_id)s");
    services.put("volumev3", baseUrl + "/volume/v3/$(project_id)s");
    return services;
  }

  /** {@code http://127.0.0.1:<port>/v3}. */
  public String authUrl() {
    return "http://" + HOST + ":" + port + "/v3";
  }

  public String password() {
    return password;
  }

  public String projectId() {
    return projectId;
  }

  public String clusterOwnerId() {
    return ownerId;
  }

  public String trusteeId() {
    return trusteeId;
  }

  public String trustId() {
    return trustId;
  }

  /** The application credential of the cluster owner, scoped to {@link #projectId()}. */
  public String applicationCredentialId() {
    return applicationCredentialId;
  }

  public String applicationCredentialSecret() {
    return applicationCredentialSecret;
  }

  /** The user the simulated services validate tokens as (password {@link #password()}). */
  public String serviceUserId() {
    return serviceUserId;
  }

  public String serviceProjectId() {
    return serviceProjectId;
  }

  public Duration tokenExpiration() {
    return tokenExpiration;
  }

  public Path logFile() {
    return workDir.resolve("keystone.log");
  }

  @Override
  public void close() {
    if (process != null) {
      process.stop(Duration.ofSeconds(10));
    }
    try (Stream<Path> paths = Files.walk(workDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot remove {}", workDir, e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void launch(Map<String, String> services) {
    long started = System.nanoTime();
    port = ManagedProcess.freePort();
    writeConfig(services);
    String conf = workDir.resolve("keystone.conf").toString();
    run("keystone-manage", "--config-file", conf, "db_sync");
    run("keystone-manage", "--config-file", conf, "fernet_setup", "--keystone-user", user(),
        "--keystone-group", group());
    run("keystone-manage", "--config-file", conf, "credential_setup", "--keystone-user", user(),
        "--keystone-group", group());
    // No region or endpoint flags: the templated catalog driver cannot store them (NotImplemented).
    run("keystone-manage", "--config-file", conf, "bootstrap", "--bootstrap-password", password);
    ProcessBuilder wsgi = new ProcessBuilder("keystone-wsgi-public", "--host", HOST, "--port",
        Integer.toString(port)).directory(workDir.toFile());
    wsgi.environment().put("OS_KEYSTONE_CONFIG_DIR", workDir.toString());
    wsgi.environment().put("OS_KEYSTONE_CONFIG_FILES", "keystone.conf");
    process = ManagedProcess.start("Keystone", wsgi, workDir.resolve("wsgi.log"), null);
    try {
      process.await("GET /v3 answers 200", Instant.now().plus(STARTUP_TIMEOUT), STARTUP_TIMEOUT,
          () -> status(get("/v3", null)) == 200);
    } catch (RuntimeException e) {
      throw new IllegalStateException(e.getMessage() + "\n(Keystone's own log: " + logFile() + ")", e);
    }
    String admin = token("{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":"
        + "{\"name\":\"admin\",\"domain\":{\"name\":\"" + DOMAIN + "\"},\"password\":\"" + password
        + "\"}}},\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"" + DOMAIN + "\"}}}}}");
    // Admin's writes first: with a short token expiration, the admin token is fresh for all of them.
    projectId = post(admin, "/v3/projects", "{\"project\":{\"name\":\"" + PROJECT
        + "\",\"domain_id\":\"default\"}}").at("/project/id").asText();
    ownerId = post(admin, "/v3/users", "{\"user\":{\"name\":\"" + CLUSTER_OWNER
        + "\",\"domain_id\":\"default\",\"password\":\"" + password + "\"}}").at("/user/id").asText();
    trusteeId = post(admin, "/v3/users", "{\"user\":{\"name\":\"" + TRUSTEE
        + "\",\"domain_id\":\"default\",\"password\":\"" + password + "\"}}").at("/user/id").asText();
    String memberRole = role(admin, "member");
    send(admin, "PUT", "/v3/projects/" + projectId + "/users/" + ownerId + "/roles/" + memberRole, null);
    serviceProjectId = post(admin, "/v3/projects", "{\"project\":{\"name\":\"" + SERVICE_PROJECT
        + "\",\"domain_id\":\"default\"}}").at("/project/id").asText();
    serviceUserId = post(admin, "/v3/users", "{\"user\":{\"name\":\"" + SERVICE_USER
        + "\",\"domain_id\":\"default\",\"password\":\"" + password + "\"}}").at("/user/id").asText();
    send(admin, "PUT", "/v3/projects/" + serviceProjectId + "/users/" + serviceUserId + "/roles/"
        + role(admin, "service"), null);
    String owner = token("{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":"
        + "{\"id\":\"" + ownerId + "\",\"password\":\"" + password + "\"}}},\"scope\":{\"project\":"
        + "{\"id\":\"" + projectId + "\"}}}}");
    trustId = post(owner, "/v3/OS-TRUST/trusts", "{\"trust\":{\"trustor_user_id\":\"" + ownerId
        + "\",\"trustee_user_id\":\"" + trusteeId + "\",\"project_id\":\"" + projectId
        + "\",\"impersonation\":true,\"roles\":[{\"name\":\"member\"}]}}").at("/trust/id").asText();
    applicationCredentialId = post(owner, "/v3/users/" + ownerId + "/application_credentials",
        "{\"application_credential\":{\"name\":\"" + APPLICATION_CREDENTIAL + "\",\"secret\":\""
            + applicationCredentialSecret + "\"}}").at("/application_credential/id").asText();
    log.info("Keystone ready in {} ms at {} ({})", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        authUrl(), workDir);
  }

  private void writeConfig(Map<String, String> services) {
    StringBuilder catalog = new StringBuilder();
    Map<String, String> all = new LinkedHashMap<>();
    all.put("identity", authUrl());
    all.putAll(services);
    Map<String, String> names = Map.of("identity", "keystone", "compute", "nova",
        "container-infra", "magnum", "orchestration", "heat", "volumev3", "cinderv3");
    all.forEach((type, url) -> {
      String prefix = "catalog." + REGION + "." + type + ".";
      for (String face : List.of("publicURL", "internalURL", "adminURL")) {
        catalog.append(prefix).append(face).append(" = ").append(url).append('\n');
      }
      catalog.append(prefix).append("name = ").append(names.getOrDefault(type, type)).append('\n');
    });
    String conf = "[DEFAULT]\nlog_file = " + logFile() + "\n"
        + "[database]\nconnection = sqlite:///" + workDir.resolve("keystone.db") + "\n"
        + "[fernet_tokens]\nkey_repository = " + workDir.resolve("fernet-keys") + "\n"
        + "[credential]\nkey_repository = " + workDir.resolve("credential-keys") + "\n"
        + "[token]\nexpiration = " + tokenExpiration.toSeconds() + "\n"
        + "[catalog]\ndriver = templated\ntemplate_file = " + workDir.resolve("catalog.templates") + "\n";
    try {
      Files.writeString(workDir.resolve("catalog.templates"), catalog.toString());
      Files.writeString(workDir.resolve("keystone.conf"), conf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String role(String token, String name) {
    JsonNode roles = send(token, "GET", "/v3/roles?name=" + name, null);
    if (roles.at("/roles").size() > 0) {
      return roles.at("/roles/0/id").asText();
    }
    return post(token, "/v3/roles", "{\"role\":{\"name\":\"" + name + "\"}}").at("/role/id").asText();
  }

  private String token(String body) {
    HttpResponse<String> r = retrying(() -> HttpRequest.newBuilder(uri("/v3/auth/tokens"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    return r.headers().firstValue("X-Subject-Token").orElseThrow();
  }

  private JsonNode post(String token, String path, String body) {
    return send(token, "POST", path, body);
  }

  private JsonNode send(String token, String method, String path, String body) {
    HttpResponse<String> r = retrying(() -> HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .header("X-Auth-Token", token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)));
    try {
      return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends, retrying a 500 (SQLite "database is locked") or a dropped connection a few times. */
  private HttpResponse<String> retrying(java.util.function.Supplier<HttpRequest.Builder> request) {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> r;
      HttpRequest built = request.get().timeout(Duration.ofSeconds(30)).build();
      try {
        r = http.send(built, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        // wsgiref answers HTTP/1.0 and closes the connection; a pooled connection it already
        // closed fails with no bytes read. A new attempt opens a fresh connection.
        if (attempt == 5) {
          throw new UncheckedIOException(e);
        }
        sleep(100L * attempt);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (r.statusCode() < 300) {
        return r;
      }
      if (r.statusCode() < 500 || attempt == 5) {
        throw new IllegalStateException(built.method() + " " + built.uri() + " -> " + r.statusCode()
            + ": " + r.body());
      }
      log.info("Keystone answered {} to {} {}; retrying", r.statusCode(), built.method(), built.uri());
      sleep(200L * attempt);
    }
  }

  private HttpResponse<String> get(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2));
    if (token != null) {
      b.header("X-Auth-Token", token);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException notYet) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static int status(HttpResponse<?> r) {
    return r == null ? -1 : r.statusCode();
  }

  private URI uri(String path) {
    return URI.create("http://" + HOST + ":" + port + path);
  }

  private void run(String... command) {
    List<String> c = new ArrayList<>(List.of(command));
    try {
      Process p = new ProcessBuilder(c).directory(workDir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        String keystoneLog = Files.exists(logFile()) ? Files.readString(logFile()) : "";
        throw new IllegalStateException("failed: " + String.join(" ", c) + "\n" + out
            + keystoneLog.substring(Math.max(0, keystoneLog.length() - 3000)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + c.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String user() {
    return System.getProperty("user.name", "root");
  }

  private static String group() {
    try {
      Process p = new ProcessBuilder("id", "-gn").start();
      String g = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(5, TimeUnit.SECONDS);
      return g.isEmpty() ? user() : g;
    } catch (IOException e) {
      return user();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return user();
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
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
