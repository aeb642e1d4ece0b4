package io.autohealer.detector;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.GoDuration;
import io.autohealer.workflows.RepairRequest;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.api.common.v1.WorkflowExecution;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * Watches Nodes through an informer and starts a repair for each unhealthy node. A master's
 * repair keeps etcd's quorum itself (it waits until the other masters are a majority).
 *
 * <p>A node is evaluated on every {@code monitor-interval} tick (from the informer's cache, never a
 * LIST), whenever it changes, and at the moment a bad condition has lasted long enough or its
 * {@code check-delay-after-add} ends, so detection does not wait for the next tick. All evaluation
 * runs on one thread, so the state here needs no locks.
 *
 * <p>Not yet here: the safety gates beyond the watch guard (storm guard, concurrency limit, opt-out,
 * cool-down).
 */
public final class Detector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Detector.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);

  private final AutoHealerConfig config;
  private final NodeEvaluator evaluator;
  private final KubernetesClient kubernetes;
  private final RepairStarter starter;
  private final Clock clock;
  private final DetectorListener listener;
  private final ScheduledExecutorService executor;

  // Confined to the executor's thread.
  private final Map<String, Recheck> rechecks = new HashMap<>();
  private final Map<String, Set<Decision>> reported = new HashMap<>();
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
    this.config = config;
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
    SharedIndexInformer<Node> nodes = kubernetes.nodes().runnableInformer(0);
    nodes.addEventHandler(new Handler());
    informer = nodes;
    try {
      nodes.start().toCompletableFuture().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      nodes.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot list and watch Nodes: " + cause, cause);
    } catch (InterruptedException e) {
      nodes.close();
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
  }

  private void evaluateAll() {
    if (!watching()) {
      return;
    }
    for (Node node : informer.getStore().list()) {
      evaluate(node);
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

    if (verdict instanceof Verdict.Young young) {
      scheduleRecheck(name, young.until());
    } else if (verdict instanceof Verdict.Pending pending) {
      scheduleRecheck(name, pending.due());
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
