package io.autohealer.simulator.realtemporal;

import io.autohealer.simulator.process.ManagedProcess;
import io.autohealer.workflows.RepairSearchAttributes;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Temporal server for tests and the sandbox: the Temporal CLI's dev server ({@code temporal
 * server start-dev}) as a child process, persisting to a SQLite file, with SQL visibility (list and
 * count queries on custom search attributes) and, unless headless, the Web UI.
 *
 * <pre>{@code
 * try (TemporalDevServer server = TemporalDevServer.start()) {   // every RepairSearchAttributes key
 *   WorkflowClient client = server.newWorkflowClient();
 *   ...
 *   System.out.println(server.workflowUrl("repair-c1-w1"));     // the Web UI page of a workflow
 *   server.kill();                                               // SIGKILL
 *   server.restart();                                            // same db file, same ports
 * }
 * }</pre>
 *
 * <p>Everything binds to 127.0.0.1. The gRPC and UI ports are free ports picked at the first start
 * unless given, and kept across {@link #restart()}. The server's output goes to {@link #logFile()}
 * (appended across restarts, one header line per start). {@link #start()} returns only when the
 * server is ready: gRPC health SERVING, the namespace described, every search attribute registered
 * and, with the UI, the UI answering for the namespace. A dev server started on an existing db file
 * ignores {@code --search-attribute} flags for keys it does not know yet, so readiness also adds any
 * missing key through the operator API. The process is killed when the JVM exits.
 */
public final class TemporalDevServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TemporalDevServer.class);

  /** The address every port of the dev server binds to. */
  public static final String HOST = ManagedProcess.LOOPBACK;

  private static final String NAME = "Temporal dev server";
  private static final int PORT_PICK_ATTEMPTS = 3;

  private final Path cli;
  private final String namespace;
  private final Path workDir;
  private final boolean ownsWorkDir;
  private final Path dbFile;
  private final Path logFile;
  private final boolean headless;
  private final int fixedPort;
  private final int fixedUiPort;
  private final boolean portsPicked;
  private final Map<String, IndexedValueType> searchAttributes;
  private final Map<String, String> dynamicConfig;
  private final Duration startupTimeout;
  private final Duration stopTimeout;
  private final String logLevel;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private int port;
  private int uiPort;
  private ManagedProcess process;
  private int starts;
  private boolean startFailed;
  private boolean closed;
  private WorkflowServiceStubs serviceStubs;
  private OperatorServiceStubs operatorStubs;

  private TemporalDevServer(Builder b) throws IOException {
    this.cli = b.cli != null ? b.cli : TemporalCli.require();
    if (!Files.isExecutable(cli)) {
      throw new TemporalCliMissingException("Temporal CLI " + cli + " is not an executable file");
    }
    this.namespace = b.namespace;
    if (b.workDir != null) {
      this.workDir = b.workDir.toAbsolutePath();
      this.ownsWorkDir = false;
    } else if (b.dbFile != null) {
      this.workDir = b.dbFile.toAbsolutePath().getParent();
      this.ownsWorkDir = false;
    } else {
      this.workDir = Files.createTempDirectory("temporal-dev-");
      this.ownsWorkDir = true;
    }
    this.dbFile = (b.dbFile != null ? b.dbFile : workDir.resolve("temporal.db")).toAbsolutePath();
    this.logFile =
        (b.logFile != null ? b.logFile : workDir.resolve("temporal-dev.log")).toAbsolutePath();
    Files.createDirectories(dbFile.getParent());
    Files.createDirectories(logFile.getParent());
    this.headless = b.headless;
    this.fixedPort = b.port;
    this.fixedUiPort = b.uiPort;
    this.portsPicked = b.port == 0 || (!b.headless && b.uiPort == 0);
    this.port = b.port;
    this.uiPort = b.uiPort;
    this.searchAttributes = Map.copyOf(b.searchAttributes);
    this.dynamicConfig = Map.copyOf(b.dynamicConfig);
    this.startupTimeout = b.startupTimeout;
    this.stopTimeout = b.stopTimeout;
    this.logLevel = b.logLevel;
  }

  /** A builder, to choose ports, files, search attributes or a headless server. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a dev server with the defaults: the pinned CLI, free ports, the Web UI on, namespace
   * {@code default}, every key of {@link RepairSearchAttributes#ALL}, a db file in a temporary
   * folder that {@link #close()} removes.
   */
  public static TemporalDevServer start() {
    return builder().start();
  }

  // ---------------------------------------------------------------------------------------------
  // What a client needs

  /** The gRPC target for {@code WorkflowServiceStubsOptions.setTarget}, e.g. {@code 127.0.0.1:41233}. */
  public String target() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public String namespace() {
    return namespace;
  }

  public boolean isHeadless() {
    return headless;
  }

  /** The Web UI port; there is none when headless. */
  public int uiPort() {
    requireUi();
    return uiPort;
  }

  /** The Web UI, e.g. {@code http://127.0.0.1:42233}. */
  public String uiUrl() {
    requireUi();
    return "http://" + HOST + ":" + uiPort;
  }

  /** The Web UI page of a workflow (its latest run): {@code <ui>/namespaces/<ns>/workflows/<id>}. */
  public String workflowUrl(String workflowId) {
    return uiUrl() + "/namespaces/" + pathSegment(namespace) + "/workflows/"
        + pathSegment(Objects.requireNonNull(workflowId, "workflowId"));
  }

  /** The Web UI event history of one run of a workflow. */
  public String workflowUrl(String workflowId, String runId) {
    return workflowUrl(workflowId) + "/" + pathSegment(Objects.requireNonNull(runId, "runId"))
        + "/history";
  }

  /** Service stubs for this server, kept across restarts (the channel reconnects). */
  public synchronized WorkflowServiceStubs workflowServiceStubs() {
    if (serviceStubs == null) {
      serviceStubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
    }
    return serviceStubs;
  }

  /** A client of {@link #namespace()} over {@link #workflowServiceStubs()}. */
  public WorkflowClient newWorkflowClient() {
    return WorkflowClient.newInstance(workflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  public Path dbFile() {
    return dbFile;
  }

  /** The server's stdout and stderr, appended across restarts. */
  public Path logFile() {
    return logFile;
  }

  public Path cli() {
    return cli;
  }

  /** The search attributes this server registers, by name. */
  public Map<String, IndexedValueType> searchAttributes() {
    return searchAttributes;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The process id of the running server. */
  public synchronized long pid() {
    if (!isRunning()) {
      throw new IllegalStateException("the Temporal dev server is not running");
    }
    return process.pid();
  }

  // ---------------------------------------------------------------------------------------------
  // Life cycle

  /** Stops the server gracefully (SIGTERM), or with SIGKILL when it has not exited in time. */
  public synchronized void stop() {
    if (!isRunning()) {
      return;
    }
    ManagedProcess p = process;
    long started = System.nanoTime();
    p.stop(stopTimeout);
    log.info("Temporal dev server (pid {}) stopped in {} ms", p.pid(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public synchronized void kill() {
    if (!isRunning()) {
      return;
    }
    ManagedProcess p = process;
    if (!p.kill()) {
      throw new IllegalStateException("Temporal dev server (pid " + p.pid() + ") survived SIGKILL");
    }
    log.info("Temporal dev server (pid {}) killed", p.pid());
  }

  /**
   * Stops the server if it runs, then starts it again on the same db file and ports, and returns
   * when it is ready. The stubs of {@link #workflowServiceStubs()} keep working.
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("the Temporal dev server is closed");
    }
    stop();
    launch(false);
  }

  /** Stops the server and releases the stubs; removes the temporary folder it made, if any. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      if (operatorStubs != null) {
        operatorStubs.shutdownNow();
      }
      if (serviceStubs != null) {
        serviceStubs.shutdownNow();
      }
      if (ownsWorkDir && !startFailed) {
        deleteRecursively(workDir);
      }
    }
  }

  @Override
  public String toString() {
    return "TemporalDevServer[target=" + target() + (headless ? ", headless" : ", ui=" + uiUrl())
        + ", db=" + dbFile + ", log=" + logFile + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Starting and readiness

  private void launch(boolean firstStart) {
    for (int attempt = 1; ; attempt++) {
      if (firstStart && portsPicked) {
        pickFreePorts();
      }
      try {
        startProcess();
        awaitReady(Instant.now().plus(startupTimeout));
        return;
      } catch (ManagedProcess.ExitedException e) {
        if (e.portTaken() && firstStart && portsPicked && attempt < PORT_PICK_ATTEMPTS) {
          log.info("a port picked for the Temporal dev server was taken meanwhile; picking again");
          continue;
        }
        startFailed = true;
        throw new IllegalStateException(e.getMessage(), e);
      } catch (RuntimeException e) {
        startFailed = true;
        destroyQuietly();
        throw e;
      }
    }
  }

  private void startProcess() {
    List<String> command = command();
    starts++;
    process = ManagedProcess.start(NAME, new ProcessBuilder(command).directory(workDir.toFile()),
        logFile, "start #" + starts);
    log.info("Temporal dev server starting (pid {}): gRPC {}, {}, db {}, log {}", process.pid(),
        target(), headless ? "headless" : "UI " + uiUrl(), dbFile, logFile);
  }

  List<String> command() {
    List<String> c = new ArrayList<>(List.of(cli.toString(), "server", "start-dev",
        "--ip", HOST, "--port", Integer.toString(port),
        "--db-filename", dbFile.toString(),
        "--namespace", namespace,
        "--log-level", logLevel));
    if (headless) {
      c.add("--headless");
    } else {
      // --ui-disable-news-fetch: the UI would otherwise ask an outside host for its news feed.
      c.addAll(List.of("--ui-port", Integer.toString(uiPort), "--ui-disable-news-fetch"));
    }
    searchAttributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        c.addAll(List.of("--search-attribute", e.getKey() + "=" + cliType(e.getValue()))));
    dynamicConfig.forEach((k, v) -> c.addAll(List.of("--dynamic-config-value", k + "=" + v)));
    return c;
  }

  private void awaitReady(Instant deadline) {
    long started = System.nanoTime();
    process.await("the gRPC port " + port + " accepts connections", deadline, startupTimeout,
        () -> accepts(port));
    WorkflowServiceStubs stubs = workflowServiceStubs();
    process.await("gRPC health SERVING", deadline, startupTimeout, () -> {
      try {
        return stubs.healthCheck().getStatus() == HealthCheckResponse.ServingStatus.SERVING;
      } catch (StatusRuntimeException notYet) {
        stubs.getRawChannel().resetConnectBackoff();
        return false;
      }
    });
    process.await("namespace " + namespace + " described", deadline, startupTimeout, () -> {
      try {
        stubs.blockingStub().describeNamespace(
            DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
        return true;
      } catch (StatusRuntimeException notYet) {
        return false;
      }
    });
    ensureSearchAttributes();
    if (!headless) {
      // The UI answers before its own connection to the frontend is up (503 for a moment).
      URI probe = URI.create(uiUrl() + "/api/v1/namespaces/" + pathSegment(namespace));
      process.await("the Web UI answers for namespace " + namespace, deadline, startupTimeout,
          () -> httpOk(probe));
    }
    log.info("Temporal dev server ready in {} ms: {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), this);
  }

  /** Registers the search attributes the server does not know yet (an older db file). */
  private void ensureSearchAttributes() {
    if (searchAttributes.isEmpty()) {
      return;
    }
    OperatorServiceStubs operator = operatorStubs();
    Map<String, IndexedValueType> known = operator.blockingStub()
        .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
        .getCustomAttributesMap();
    Map<String, IndexedValueType> missing = new LinkedHashMap<>();
    for (Map.Entry<String, IndexedValueType> want : searchAttributes.entrySet()) {
      IndexedValueType have = known.get(want.getKey());
      if (have == null) {
        missing.put(want.getKey(), want.getValue());
      } else if (have != want.getValue()) {
        throw new IllegalStateException("search attribute " + want.getKey() + " is " + have
            + " in " + dbFile + ", but " + want.getValue() + " is wanted; use a new db file");
      }
    }
    if (!missing.isEmpty()) {
      log.info("registering search attributes missing from {}: {}", dbFile, missing.keySet());
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace(namespace).putAllSearchAttributes(missing).build());
    }
  }

  private synchronized OperatorServiceStubs operatorStubs() {
    if (operatorStubs == null) {
      operatorStubs = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
          .setChannel(workflowServiceStubs().getRawChannel())
          .validateAndBuildWithDefaults());
    }
    return operatorStubs;
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private boolean httpOk(URI uri) {
    try {
      HttpResponse<Void> r = http.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void pickFreePorts() {
    if (fixedPort == 0) {
      port = ManagedProcess.freePort(fixedUiPort);
    }
    if (!headless && fixedUiPort == 0) {
      uiPort = ManagedProcess.freePort(port);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private void requireUi() {
    if (headless) {
      throw new IllegalStateException("this Temporal dev server runs headless: it has no Web UI");
    }
  }

  private void destroyQuietly() {
    if (process != null && process.isAlive()) {
      process.kill();
    }
  }

  /** Percent-encodes one URL path segment (RFC 3986 unreserved characters stay). */
  static String pathSegment(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  /** The type name {@code --search-attribute} takes. */
  static String cliType(IndexedValueType type) {
    switch (type) {
      case INDEXED_VALUE_TYPE_TEXT: return "Text";
      case INDEXED_VALUE_TYPE_KEYWORD: return "Keyword";
      case INDEXED_VALUE_TYPE_INT: return "Int";
      case INDEXED_VALUE_TYPE_DOUBLE: return "Double";
      case INDEXED_VALUE_TYPE_BOOL: return "Bool";
      case INDEXED_VALUE_TYPE_DATETIME: return "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST: return "KeywordList";
      default: throw new IllegalArgumentException("no search attribute type " + type);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot remove {}", dir, e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Options of a {@link TemporalDevServer}; {@link #start()} starts it and waits until ready. */
  public static final class Builder {
    private Path cli;
    private int port;
    private int uiPort;
    private boolean headless;
    private String namespace = "default";
    private Path workDir;
    private Path dbFile;
    private Path logFile;
    private final Map<String, IndexedValueType> searchAttributes = new LinkedHashMap<>();
    private final Map<String, String> dynamicConfig = new LinkedHashMap<>();
    private Duration startupTimeout = Duration.ofSeconds(60);
    private Duration stopTimeout = Duration.ofSeconds(30);
    private String logLevel = "warn";

    private Builder() {
      searchAttributes(RepairSearchAttributes.ALL);
    }

    /** The temporal binary; default {@link TemporalCli#require()}. */
    public Builder cli(Path cli) {
      this.cli = cli;
      return this;
    }

    /** The frontend gRPC port; default 0 = a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The Web UI port; default 0 = a free port. */
    public Builder uiPort(int uiPort) {
      this.uiPort = uiPort;
      return this;
    }

    /** Without the Web UI. */
    public Builder headless(boolean headless) {
      this.headless = headless;
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace);
      return this;
    }

    /** The folder for the db and log files when not given; default a temporary folder, removed by close(). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** The SQLite file; reuse one to start on the state a previous server left. */
    public Builder dbFile(Path dbFile) {
      this.dbFile = dbFile;
      return this;
    }

    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** Replaces the search attributes to register; default {@link RepairSearchAttributes#ALL}. */
    public Builder searchAttributes(Collection<? extends SearchAttributeKey<?>> keys) {
      searchAttributes.clear();
      keys.forEach(this::addSearchAttribute);
      return this;
    }

    public Builder addSearchAttribute(SearchAttributeKey<?> key) {
      return addSearchAttribute(key.getName(), key.getValueType());
    }

    public Builder addSearchAttribute(String name, IndexedValueType type) {
      cliType(type);
      searchAttributes.put(name, type);
      return this;
    }

    /** A dynamic config value; {@code jsonValue} is JSON, so strings need quotes. */
    public Builder dynamicConfig(String key, String jsonValue) {
      dynamicConfig.put(key, jsonValue);
      return this;
    }

    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = timeout;
      return this;
    }

    /** How long stop() waits after SIGTERM before SIGKILL; default 30 s. */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = timeout;
      return this;
    }

    /** The server's log level: debug, info, warn (default), error. */
    public Builder logLevel(String level) {
      this.logLevel = level;
      return this;
    }

    /** Starts the server and returns when it is ready. */
    public TemporalDevServer start() {
      TemporalDevServer server;
      try {
        server = new TemporalDevServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the Temporal dev server's files", e);
      }
      try {
        server.launch(true);
      } catch (RuntimeException e) {
        server.closeAfterFailedStart();
        throw e;
      }
      return server;
    }
  }

  private synchronized void closeAfterFailedStart() {
    closed = true;
    destroyQuietly();
    if (operatorStubs != null) {
      operatorStubs.shutdownNow();
    }
    if (serviceStubs != null) {
      serviceStubs.shutdownNow();
    }
  }
}
