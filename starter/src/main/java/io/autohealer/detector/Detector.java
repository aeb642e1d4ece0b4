package io.autohealer.detector;

import io.autohealer.config.AutoHealerConfig;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autohealer.config.GoDuration;
import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.RepairRequest;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.api.common.v1.WorkflowExecution;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Nodes through an informer and starts a repair for each unhealthy worker.
 *
 * <p>A node is evaluated on every {@code monitor-interval} tick (from the informer's cache, never a
 * LIST), whenever it changes, and at the moment a bad condition has lasted long enough or its
 * {@code check-delay-after-add} ends, so detection does not wait for the next tick. All evaluation
 * runs on one thread, so the state here needs no locks; checks that need I/O (Endpoint probes) do it
 * on their own threads and ask for a re-evaluation when their answer changes.
 *
 * <p>After each full pass it hands a {@link HealthReport} to its {@link HealthReporter}, which
 * forwards it to the worker when the state changed or every 5 minutes: UNKNOWN when the Node
 * watch is down, else every unhealthy node, masters included.
 *
 * <p>Not yet here: master repair (unhealthy masters are reported once and left alone) and the
 * safety gates beyond the watch guard (storm guard, concurrency limit, opt-out, cool-down).
 */
public final class Detector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Detector.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final AutoHealerConfig config;
  private final HealthChecks checks;
  private final NodeEvaluator evaluator;
  private final KubernetesClient kubernetes;
  private final RepairStarter starter;
  private final Clock clock;
  private final DetectorListener listener;
  private final HealthReporter reporter;
  private final ScheduledExecutorService executor;

  // Confined to the executor's thread.
  private final Map<String, Recheck> rechecks = new HashMap<>();
  private final Map<String, Set<Decision>> reported = new HashMap<>();
  private final Map<String, Verdict> verdicts = new HashMap<>();
  private boolean watchDownReported;

  private volatile SharedIndexInformer<Node> informer;

  public Detector(
      AutoHealerConfig config, HealthChecks checks, KubernetesClient kubernetes, RepairStarter starter) {
    this(config, checks, kubernetes, starter, Clock.systemUTC(), DetectorListener.NONE);
  }

  public Detector(
      AutoHealerConfig config,
      HealthChecks checks,
      KubernetesClient kubernetes,
      RepairStarter starter,
      Clock clock,
      DetectorListener listener) {
    this(config, checks, kubernetes, starter, clock, listener, null);
  }

  /**
   * @param reporter where health reports go after each pass; null sends none. Not closed here.
   */
  public Detector(
      AutoHealerConfig config,
      HealthChecks checks,
      KubernetesClient kubernetes,
      RepairStarter starter,
      Clock clock,
      DetectorListener listener,
      HealthReporter reporter) {
    this.config = config;
    this.checks = checks;
    this.reporter = reporter;
    this.evaluator = new NodeEvaluator(config, checks);
    this.kubernetes = kubernetes;
    this.starter = starter;
    this.clock = clock;
    this.listener = listener;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "detector");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts watching: returns once the informer holds every Node.
   *
   * @throws IllegalStateException when the Nodes cannot be listed and watched
   */
  public synchronized void start() {
    if (informer != null) {
      throw new IllegalStateException("already started");
    }
    HealthCheckContext context = new CheckContext();
    for (HealthCheck check : checks.all()) {
      check.start(context);
    }
    SharedIndexInformer<Node> nodes = kubernetes.nodes().runnableInformer(0);
    nodes.addEventHandler(new Handler());
    informer = nodes;
    try {
      nodes.start().toCompletableFuture().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      nodes.close();
      closeChecks();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot list and watch Nodes: " + cause, cause);
    } catch (InterruptedException e) {
      nodes.close();
      closeChecks();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing Nodes", e);
    }
    long interval = config.monitorInterval().toMillis();
    executor.scheduleWithFixedDelay(() -> guarded(this::evaluateAll), interval, interval, TimeUnit.MILLISECONDS);
    log.info(
        "detector started for cluster {}: {} nodes, monitor-interval {}, check-delay-after-add {}{}",
        config.clusterName(), nodes.getStore().list().size(), GoDuration.format(config.monitorInterval()),
        GoDuration.format(config.checkDelayAfterAdd()), config.dryRun() ? ", dry-run" : "");
  }

  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.close();
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (informer != null) {
      closeChecks();
    }
  }

  private void closeChecks() {
    for (HealthCheck check : checks.all()) {
      try {
        check.close();
      } catch (RuntimeException e) {
        log.warn("closing the {} check failed", check.name(), e);
      }
    }
  }

  /**
   * Runs a full pass now, besides the periodic ones (benchmarks, tests, tools).
   *
   * @return completes with the pass's summary once it ran on the detector's thread
   */
  public CompletableFuture<PassSummary> passNow() {
    CompletableFuture<PassSummary> done = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          done.complete(evaluateAll());
        } catch (RuntimeException e) {
          log.error("node evaluation failed", e);
          done.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(new IllegalStateException("the detector is closed", e));
    }
    return done;
  }

  private PassSummary evaluateAll() {
    Instant at = clock.instant();
    long started = System.nanoTime();
    long cpuStarted = cpuTime();
    boolean readable = watching();
    if (readable) {
      for (Node node : informer.getStore().list()) {
        evaluate(node);
      }
    }
    int healthy = 0;
    int pending = 0;
    int unknown = 0;
    int ignored = 0;
    List<HealthReport.UnhealthyNode> unhealthy = new ArrayList<>();
    if (readable) {
      for (Map.Entry<String, Verdict> entry : verdicts.entrySet()) {
        Verdict verdict = entry.getValue();
        if (verdict instanceof Verdict.Unhealthy u) {
          unhealthy.add(new HealthReport.UnhealthyNode(entry.getKey(), u.role(), u.failedCheck()));
        } else if (verdict instanceof Verdict.Healthy) {
          healthy++;
        } else if (verdict instanceof Verdict.Pending) {
          pending++;
        } else if (verdict instanceof Verdict.Unknown) {
          unknown++;
        } else {
          ignored++;
        }
      }
    }
    if (reporter != null) {
      reporter.passCompleted(readable ? HealthReport.of(unhealthy, at) : HealthReport.unknown(at));
    }
    long cpuEnded = cpuTime();
    PassSummary summary = new PassSummary(at, readable, readable ? verdicts.size() : 0, healthy, pending,
        unhealthy.size(), unknown, ignored, Duration.ofNanos(System.nanoTime() - started),
        cpuStarted < 0 || cpuEnded < 0 ? -1 : cpuEnded - cpuStarted);
    listener.passCompleted(summary);
    return summary;
  }

  private static long cpuTime() {
    try {
      return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    } catch (UnsupportedOperationException e) {
      return -1;
    }
  }

  private void evaluateByName(String name) {
    Node node = informer.getStore().getByKey(name);
    if (node == null) {
      forget(name);
    } else {
      evaluate(node);
    }
  }

  private void evaluate(Node node) {
    String name = NodeFacts.name(node);
    Instant now = clock.instant();
    Verdict verdict = evaluator.evaluate(node, now);
    verdicts.put(name, verdict);

    if (verdict instanceof Verdict.Young young) {
      scheduleRecheck(name, young.until());
    } else if (verdict instanceof Verdict.Pending pending) {
      scheduleRecheck(name, pending.due());
    } else if (verdict instanceof Verdict.Unknown unknown && unknown.due() != null) {
      scheduleRecheck(name, unknown.due());
    } else {
      cancelRecheck(name);
    }

    Decision decision = Decision.NONE;
    if (verdict instanceof Verdict.Unhealthy unhealthy) {
      decision = act(node, unhealthy, now);
    } else if (reported.remove(name) != null && verdict instanceof Verdict.Healthy) {
      log.info("node {} is healthy again", name);
    }
    listener.evaluated(name, verdict, decision);
  }

  private Decision act(Node node, Verdict.Unhealthy unhealthy, Instant now) {
    String name = NodeFacts.name(node);
    String what = unhealthy.failedCheck() + ": " + unhealthy.reason();
    if (unhealthy.role() == NodeRole.MASTER) {
      reportOnce(name, Decision.MASTER_NOT_REPAIRED,
          "master node {} is unhealthy ({}); master repair is not implemented yet, the node is left alone", name, what);
      return Decision.MASTER_NOT_REPAIRED;
    }
    Optional<String> serverId = NodeFacts.serverId(node);
    if (serverId.isEmpty()) {
      reportOnce(name, Decision.NO_SERVER_ID,
          "node {} is unhealthy ({}) but neither spec.providerID nor status.nodeInfo.machineID gives its server id;"
              + " it is not repaired", name, what);
      return Decision.NO_SERVER_ID;
    }
    RepairRequest request =
        new RepairRequest(
            config.clusterName(), name, serverId.get(), unhealthy.role(), NodeFacts.nodegroup(node),
            NodeFacts.addresses(node), unhealthy.failedCheck(), unhealthy.reason(), now, config.repair());
    if (config.dryRun()) {
      reportOnce(name, Decision.DRY_RUN, "dry-run: would start: {} (server {})", request.summary(), serverId.get());
      return Decision.DRY_RUN;
    }
    if (starter.isRunning(config.clusterName(), name)) {
      return Decision.REPAIR_RUNNING;
    }
    try {
      WorkflowExecution execution = starter.start(request);
      log.info("repair of node {} is running as {} run {} ({})", name, execution.getWorkflowId(), execution.getRunId(), what);
      return Decision.REPAIR_STARTED;
    } catch (RuntimeException e) {
      log.warn("could not start the repair of node {}: {}; trying again on the next check", name, e.toString());
      return Decision.START_FAILED;
    }
  }

  /** Logs once per node until it is healthy again, so a long outage is not logged on every tick. */
  private void reportOnce(String node, Decision kind, String format, Object... args) {
    if (reported.computeIfAbsent(node, n -> EnumSet.noneOf(Decision.class)).add(kind)) {
      log.warn(format, args);
    }
  }

  private boolean watching() {
    boolean watching = informer.isWatching();
    if (!watching && !watchDownReported) {
      log.warn("the Node watch is down: no node is judged on possibly stale state until it is back");
    } else if (watching && watchDownReported) {
      log.info("the Node watch is back");
    }
    watchDownReported = !watching;
    return watching;
  }

  private void scheduleRecheck(String name, Instant at) {
    Recheck existing = rechecks.get(name);
    if (existing != null && existing.at().equals(at)) {
      return;
    }
    if (existing != null) {
      existing.future().cancel(false);
    }
    // +1 ms so that `at` has passed when the check runs (the scheduler rounds to milliseconds).
    long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis()) + 1;
    ScheduledFuture<?> future =
        executor.schedule(
            () -> guarded(() -> {
              rechecks.remove(name);
              if (watching()) {
                evaluateByName(name);
              }
            }),
            delay,
            TimeUnit.MILLISECONDS);
    rechecks.put(name, new Recheck(at, future));
  }

  private void cancelRecheck(String name) {
    Recheck recheck = rechecks.remove(name);
    if (recheck != null) {
      recheck.future().cancel(false);
    }
  }

  private void forget(String name) {
    cancelRecheck(name);
    reported.remove(name);
    verdicts.remove(name);
    for (HealthCheck check : checks.all()) {
      check.forget(name);
    }
  }

  private void submit(Runnable task) {
    try {
      executor.execute(() -> guarded(task));
    } catch (RejectedExecutionException e) {
      // Closing: events that arrive while the informer stops are dropped.
    }
  }

  /** A failing plugin or a surprise must not stop the periodic task (the executor would drop it). */
  private static void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("node evaluation failed", e);
    }
  }

  private record Recheck(Instant at, ScheduledFuture<?> future) {}

  /** The detector as the checks see it. */
  private final class CheckContext implements HealthCheckContext {
    @Override
    public void recheck(String node) {
      submit(() -> {
        if (informer != null && watching()) {
          evaluateByName(node);
        }
      });
    }

    @Override
    public void annotate(String node, String key, String value) {
      ObjectNode patch = JsonNodeFactory.instance.objectNode();
      // A null value removes the key: that is what a JSON merge patch means by it.
      patch.putObject("metadata").putObject("annotations").put(key, value);
      // On resource(...), not withName(...): with only a name, fabric8 GETs the Node before patching.
      Node target = new NodeBuilder().withNewMetadata().withName(node).endMetadata().build();
      kubernetes.nodes().resource(target).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    @Override
    public Duration monitorInterval() {
      return config.monitorInterval();
    }

    @Override
    public Clock clock() {
      return clock;
    }
  }

  private final class Handler implements ResourceEventHandler<Node> {
    @Override
    public void onAdd(Node node) {
      String name = NodeFacts.name(node);
      submit(() -> evaluateByName(name));
    }

    @Override
    public void onUpdate(Node oldNode, Node newNode) {
      String name = NodeFacts.name(newNode);
      submit(() -> evaluateByName(name));
    }

    @Override
    public void onDelete(Node node, boolean deletedFinalStateUnknown) {
      String name = NodeFacts.name(node);
      submit(() -> forget(name));
    }
  }
}
