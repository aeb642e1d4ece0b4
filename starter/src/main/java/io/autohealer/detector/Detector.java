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
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.temporal.api.common.v1.WorkflowExecution;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Nodes through an informer and starts a repair for each unhealthy node that passes the
 * safety gates ({@link RepairGates}). A master's repair keeps etcd's quorum itself (it waits until
 * the other masters are a majority), and masters are repaired one at a time.
 *
 * <p>A node is evaluated on every {@code monitor-interval} tick (from the informer's cache, never a
 * LIST), whenever it changes, and at the moment a bad condition has lasted long enough or its
 * {@code check-delay-after-add} ends, so detection does not wait for the next tick. A node held
 * back by a gate is evaluated again as soon as that gate may open: when a repair closes, the pause
 * is lifted, a storm ends, the watch is back, or its cool-down or budget window ends. All
 * evaluation runs on one thread, so the state here needs no locks; checks that need I/O (Endpoint
 * probes) do it on their own threads and ask for a re-evaluation when their answer changes.
 *
 * <p>After each full pass it hands a {@link HealthReport} to its {@link HealthReporter}, which
 * forwards it to the worker when the state changed or every 5 minutes: UNKNOWN when the Node
 * watch is down, else every unhealthy node, masters included.
 *
 * <p>Before the first decision, every node is evaluated once without acting (so that the storm
 * guard counts them all) and the running repairs are found in Temporal ({@link RepairRegistry}).
 * Right before a repair starts, the node is read afresh from the API server and judged again, so
 * that a stale cache never starts one.
 */
public final class Detector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Detector.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final AutoHealerConfig config;
  private final String cluster;
  private final HealthChecks checks;
  private final NodeEvaluator evaluator;
  private final RepairGates gates;
  private final KubernetesClient kubernetes;
  private final RepairStarter starter;
  private final RepairRegistry registry;
  private final Clock clock;
  private final DetectorListener listener;
  private final DetectorMetrics metrics;
  private final DetectorEvents events;
  private final ClusterPauseWatch pause;
  private final HealthReporter reporter;
  private final ScheduledExecutorService executor;

  // Confined to the executor's thread.
  private final Map<String, Recheck> rechecks = new HashMap<>();
  private final Map<String, Set<Decision>> reported = new HashMap<>();
  /** Every node's role, and how many nodes each role has. */
  private final Map<String, NodeRole> roles = new HashMap<>();
  private final Map<NodeRole, Integer> roleCounts = new EnumMap<>(NodeRole.class);
  /** Nodes failing a check now: unhealthy, or within their unhealthy-duration (the storm guard counts these). */
  private final Map<NodeRole, Set<String>> failing = new EnumMap<>(NodeRole.class);
  /** Nodes failing a check past its unhealthy-duration. */
  private final Map<NodeRole, Set<String>> unhealthy = new EnumMap<>(NodeRole.class);
  /** The last decision about each unhealthy node. */
  private final Map<String, Decision> decisions = new HashMap<>();
  private final Set<NodeRole> storms = EnumSet.noneOf(NodeRole.class);
  /** Repairs started whose start could not yet be recorded on the node ({@link RepairBudget}). */
  private final Map<String, Instant> unrecorded = new HashMap<>();
  /** The last verdict on each node, for the health report. */
  private final Map<String, Verdict> verdicts = new HashMap<>();
  private boolean watchDownReported;

  private volatile SharedIndexInformer<Node> informer;
  private volatile boolean primed;

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
    this(config, checks, kubernetes, starter, clock, listener, DetectorMetrics.inMemory(), null);
  }

  public Detector(
      AutoHealerConfig config,
      HealthChecks checks,
      KubernetesClient kubernetes,
      RepairStarter starter,
      Clock clock,
      DetectorListener listener,
      DetectorMetrics metrics) {
    this(config, checks, kubernetes, starter, clock, listener, metrics, null);
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
    this(config, checks, kubernetes, starter, clock, listener, DetectorMetrics.inMemory(), reporter);
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
      DetectorMetrics metrics,
      HealthReporter reporter) {
    this.config = config;
    this.cluster = config.clusterName();
    this.checks = checks;
    this.reporter = reporter;
    this.evaluator = new NodeEvaluator(config, checks);
    this.gates = new RepairGates(config.safety());
    this.kubernetes = kubernetes;
    this.starter = starter;
    this.registry = starter.registry();
    this.clock = clock;
    this.listener = listener;
    this.metrics = metrics;
    this.events = new DetectorEvents(kubernetes, clock, hostname());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "detector");
              thread.setDaemon(true);
              return thread;
            });
    this.pause = new ClusterPauseWatch(kubernetes, config.safety().controlNamespace(), () -> submit(this::reevaluateHeld));
    for (NodeRole role : NodeRole.values()) {
      roleCounts.put(role, 0);
      failing.put(role, new HashSet<>());
      unhealthy.put(role, new HashSet<>());
    }
    registry.onClose(repair -> submit(() -> closed(repair)));
  }

  /**
   * Starts watching: returns once the informers hold every Node and the pause ConfigMap.
   *
   * @throws IllegalStateException when the Nodes or the pause ConfigMap cannot be listed and watched
   */
  public synchronized void start() {
    if (informer != null) {
      throw new IllegalStateException("already started");
    }
    pause.start(SYNC_TIMEOUT);
    HealthCheckContext context = new CheckContext();
    for (HealthCheck check : checks.all()) {
      check.start(context);
    }
    SharedIndexInformer<Node> nodes = kubernetes.nodes().runnableInformer(0);
    informer = nodes;
    // The first task judges every node without acting, once the cache is full; the informer's
    // first events queue up behind it.
    CountDownLatch synced = new CountDownLatch(1);
    executor.execute(() -> {
      try {
        synced.await();
        guarded(this::prime);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    nodes.addEventHandler(new Handler());
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
    synced.countDown();
    long interval = config.monitorInterval().toMillis();
    executor.scheduleWithFixedDelay(() -> guarded(this::evaluateAll), interval, interval, TimeUnit.MILLISECONDS);
    log.info(
        "detector started for cluster {}: {} nodes, monitor-interval {}, check-delay-after-add {}, max-unhealthy {},"
            + " max-concurrent-repairs {}, repair-cooldown {}, repair-budget {} per {}{}",
        cluster, nodes.getStore().list().size(), GoDuration.format(config.monitorInterval()),
        GoDuration.format(config.checkDelayAfterAdd()), config.safety().maxUnhealthy(),
        config.safety().maxConcurrentRepairs(), GoDuration.format(config.safety().repairCooldown()),
        config.safety().repairBudget(), GoDuration.format(config.safety().repairBudgetWindow()),
        config.dryRun() ? ", dry-run" : "");
  }

  /**
   * Whether the detector can act: its Node informer is synced and watching, and the first
   * evaluation of all nodes is done. (Readiness of the leader.)
   */
  public boolean ready() {
    SharedIndexInformer<Node> nodes = informer;
    return nodes != null && primed && nodes.hasSynced() && nodes.isWatching();
  }

  /**
   * Why the Kubernetes API cannot be trusted now (the Node or pause watch is down), or empty. While
   * it cannot, no repair starts, and the cluster's health is unknown.
   */
  public Optional<String> kubernetesProblem() {
    return Optional.ofNullable(apiProblem());
  }

  /** Waits until the decisions made so far are taken and their Events posted (tests). */
  void awaitQuiet(Duration timeout) {
    try {
      executor.submit(() -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("detector busy for " + timeout, e);
    }
    events.flush(timeout);
  }

  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.close();
    }
    pause.close();
    registry.close();
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (informer != null) {
      closeChecks();
    }
    events.close();
  }

  /** Judges every node without acting and finds the running repairs, before the first decision. */
  private void prime() {
    Instant now = clock.instant();
    for (Node node : informer.getStore().list()) {
      observe(node, now, false);
    }
    for (NodeRole role : NodeRole.values()) {
      updateStorm(role, null); // on the full counts, not on each partial one
    }
    registry.rebuild(cluster, Map.copyOf(roles));
    primed = true;
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
      metrics.pass(Duration.ofNanos(System.nanoTime() - started));
    }
    int healthy = 0;
    int pending = 0;
    int unknown = 0;
    int ignored = 0;
    List<HealthReport.UnhealthyNode> unhealthyNodes = new ArrayList<>();
    if (readable) {
      for (Map.Entry<String, Verdict> entry : verdicts.entrySet()) {
        Verdict verdict = entry.getValue();
        if (verdict instanceof Verdict.Unhealthy u) {
          unhealthyNodes.add(new HealthReport.UnhealthyNode(entry.getKey(), u.role(), u.failedCheck()));
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
      reporter.passCompleted(readable ? HealthReport.of(unhealthyNodes, at) : HealthReport.unknown(at));
    }
    long cpuEnded = cpuTime();
    PassSummary summary = new PassSummary(at, readable, readable ? verdicts.size() : 0, healthy, pending,
        unhealthyNodes.size(), unknown, ignored, Duration.ofNanos(System.nanoTime() - started),
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

  /** A repair closed: its node is judged again (still unhealthy?), and so are the nodes it held back. */
  private void closed(RepairRegistry.Running repair) {
    if (!primed || !watching()) {
      return;
    }
    log.info("repair {} of node {} closed", repair.workflowId(), repair.node());
    evaluateByName(repair.node());
    reevaluateHeld();
  }

  /** Evaluates again the unhealthy nodes held back by a gate, when one may have opened. */
  private void reevaluateHeld() {
    if (!primed || !watching()) {
      return;
    }
    for (String name : List.copyOf(decisions.keySet())) {
      Decision last = decisions.get(name);
      if (last != null && last.blocked()) {
        evaluateByName(name);
      }
    }
  }

  private void evaluate(Node node) {
    String name = NodeFacts.name(node);
    Instant now = clock.instant();
    Verdict verdict = observe(node, now, true);

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
    if (verdict instanceof Verdict.Unhealthy bad) {
      decision = act(node, bad, now);
      decisions.put(name, decision);
    } else {
      decisions.remove(name);
      if (reported.remove(name) != null && verdict instanceof Verdict.Healthy) {
        log.info("node {} is healthy again", name);
      }
    }
    listener.evaluated(name, verdict, decision);
  }

  /**
   * Judges the node and updates the counts of the storm guard and the metrics; acts on nothing.
   *
   * @param storm whether to update the storm state now (not while the first counts are taken)
   */
  private Verdict observe(Node node, Instant now, boolean storm) {
    String name = NodeFacts.name(node);
    NodeRole role = NodeFacts.role(node);
    Verdict verdict = evaluator.evaluate(node, now);
    verdicts.put(name, verdict);
    metrics.checked();

    NodeRole previous = roles.put(name, role);
    if (previous != role) {
      if (previous != null) {
        roleCounts.merge(previous, -1, Integer::sum);
        leave(previous, name);
        if (storm) {
          updateStorm(previous, null);
        }
      }
      roleCounts.merge(role, 1, Integer::sum);
    }
    boolean isUnhealthy = verdict instanceof Verdict.Unhealthy;
    boolean isFailing = isUnhealthy || verdict instanceof Verdict.Pending;
    if (isFailing) {
      failing.get(role).add(name);
    } else {
      failing.get(role).remove(name);
    }
    if (isUnhealthy) {
      if (unhealthy.get(role).add(name)) {
        Verdict.Unhealthy bad = (Verdict.Unhealthy) verdict;
        log.warn("{} node {} is unhealthy: {}: {}", role.name().toLowerCase(), name, bad.failedCheck(), bad.reason());
        events.unhealthy(node, "Node is unhealthy: " + bad.failedCheck() + ": " + bad.reason());
      }
    } else {
      unhealthy.get(role).remove(name);
    }
    metrics.unhealthy(role, unhealthy.get(role).size());
    if (storm) {
      updateStorm(role, node);
    }
    return verdict;
  }

  private void leave(NodeRole role, String name) {
    failing.get(role).remove(name);
    unhealthy.get(role).remove(name);
    metrics.unhealthy(role, unhealthy.get(role).size());
  }

  /** Notices a storm begin (one Event) or end (held nodes evaluated again). */
  private void updateStorm(NodeRole role, Node hint) {
    RepairGates.ClusterState state = clusterState();
    boolean storm = gates.storm(role, state);
    String roleName = role.name().toLowerCase();
    if (storm && storms.add(role)) {
      String message = gates.stormMessage(roleName, state.failing(role), state.nodes(role),
          config.safety().maxUnhealthy().limit(state.nodes(role)));
      log.warn("storm guard: {}; failing: {}", message, sorted(failing.get(role)));
      Node on = hint != null && failing.get(role).contains(NodeFacts.name(hint)) ? hint : anyFailing(role);
      if (on != null) {
        events.storm(on, "Storm guard: " + message + ". Failing: " + String.join(", ", sorted(failing.get(role))));
      }
    } else if (!storm && storms.remove(role)) {
      log.info("storm guard: {} of {} {} nodes fail now, within max-unhealthy {}; {} repairs may start again",
          state.failing(role), state.nodes(role), roleName, config.safety().maxUnhealthy(), roleName);
      submit(this::reevaluateHeld);
    }
  }

  private Node anyFailing(NodeRole role) {
    for (String name : sorted(failing.get(role))) {
      Node node = informer == null ? null : informer.getStore().getByKey(name);
      if (node != null) {
        return node;
      }
    }
    return null;
  }

  private RepairGates.ClusterState clusterState() {
    List<RepairRegistry.Running> running = registry.running(cluster);
    return new RepairGates.ClusterState(
        apiProblem(),
        pause.current(),
        roleCounts.get(NodeRole.MASTER),
        roleCounts.get(NodeRole.WORKER),
        failing.get(NodeRole.MASTER).size(),
        failing.get(NodeRole.WORKER).size(),
        running.size(),
        (int) running.stream().filter(r -> r.role() == NodeRole.MASTER).count());
  }

  private String apiProblem() {
    SharedIndexInformer<Node> nodes = informer;
    if (nodes == null || !nodes.hasSynced() || !nodes.isWatching()) {
      return "the Node watch is down";
    }
    if (!pause.watching()) {
      return "the watch of ConfigMap " + pause.location() + " is down";
    }
    return null;
  }

  private Decision act(Node node, Verdict.Unhealthy bad, Instant now) {
    String name = NodeFacts.name(node);
    NodeRole role = bad.role();
    String what = bad.failedCheck() + ": " + bad.reason();
    if (starter.isRunning(cluster, name)) {
      recordPendingStart(node);
      return Decision.REPAIR_RUNNING;
    }
    Optional<String> serverId = NodeFacts.serverId(node);
    if (serverId.isEmpty()) {
      reportOnce(name, Decision.NO_SERVER_ID,
          "node {} is unhealthy ({}) but neither spec.providerID nor status.nodeInfo.machineID gives its server id;"
              + " it is not repaired", name, what);
      return Decision.NO_SERVER_ID;
    }
    if (!registry.rebuilt() && !registry.rebuild(cluster, Map.copyOf(roles))) {
      return held(node, new RepairGates.Block(Decision.BLOCKED_HISTORY_UNKNOWN,
          "cannot find the cluster's running repairs in Temporal", null));
    }
    String historyProblem = null;
    Instant lastClosed = null;
    try {
      lastClosed = registry.lastClosed(cluster, name, role).orElse(null);
    } catch (RuntimeException e) {
      historyProblem = e.toString();
    }
    if (starter.isRunning(cluster, name)) {
      return Decision.REPAIR_RUNNING; // found running by that look-up
    }

    Optional<RepairGates.Block> block = check(node, role, historyProblem, lastClosed, now);
    if (block.isPresent()) {
      return held(node, block.get());
    }

    // Every gate passed on the cached node: read it afresh, so that a stale cache never starts a repair.
    Node fresh;
    try {
      fresh = kubernetes.nodes().withName(name).get();
    } catch (KubernetesClientException e) {
      return held(node, new RepairGates.Block(Decision.BLOCKED_API_UNREADABLE,
          "cannot read the node from the Kubernetes API now (" + describe(e) + ")", null));
    }
    if (fresh == null) {
      return Decision.NONE; // deleted; its delete event follows
    }
    Verdict again = evaluator.evaluate(fresh, now);
    if (!(again instanceof Verdict.Unhealthy)) {
      log.info("node {} is no longer unhealthy on a fresh read; no repair", name);
      return Decision.NONE;
    }
    block = check(fresh, role, historyProblem, lastClosed, now);
    if (block.isPresent()) {
      return held(fresh, block.get());
    }

    RepairRequest request =
        new RepairRequest(
            cluster, name, serverId.get(), role, NodeFacts.nodegroup(node),
            NodeFacts.addresses(node), bad.failedCheck(), bad.reason(), now, config.repair());
    if (config.dryRun()) {
      reportOnce(name, Decision.DRY_RUN, "dry-run: every gate passed; would start: {} (server {})",
          request.summary(), serverId.get());
      events.dryRun(fresh, "dry-run: every safety gate passed; would start the repair of " + role.name().toLowerCase()
          + " node " + name + " (" + what + "); nothing is changed");
      return Decision.DRY_RUN;
    }
    WorkflowExecution execution;
    try {
      execution = starter.start(request);
    } catch (RuntimeException e) {
      log.warn("could not start the repair of node {}: {}; trying again on the next check", name, e.toString());
      return Decision.START_FAILED;
    }
    log.info("repair of node {} is running as {} run {} ({})", name, execution.getWorkflowId(), execution.getRunId(), what);
    metrics.started(role);
    events.repairStarted(fresh, "Repair started for " + what + " (Temporal workflow " + execution.getWorkflowId()
        + ", run " + execution.getRunId() + ")");
    unrecorded.put(name, now);
    recordPendingStart(fresh);
    return Decision.REPAIR_STARTED;
  }

  private Optional<RepairGates.Block> check(
      Node node, NodeRole role, String historyProblem, Instant lastClosed, Instant now) {
    RepairGates.Candidate candidate =
        new RepairGates.Candidate(
            NodeFacts.name(node), role, NodeFacts.optedOut(node), historyProblem, lastClosed,
            RepairBudget.parse(NodeFacts.annotation(node, RepairBudget.ANNOTATION)));
    RepairGates.ClusterState state = clusterState();
    if (state.runningRepairs() >= config.safety().maxConcurrentRepairs()
        || (role == NodeRole.MASTER && state.runningMasterRepairs() >= config.safety().maxConcurrentMasterRepairs())) {
      registry.refresh(); // confirm the running ones before holding this one back
      state = clusterState();
    }
    return gates.check(candidate, state, now);
  }

  /** Records, logs and reports a repair held back by a gate. */
  private Decision held(Node node, RepairGates.Block block) {
    String name = NodeFacts.name(node);
    Decision gate = block.decision();
    if (decisions.get(name) != gate) {
      metrics.blocked(gate);
    }
    String prefix = config.dryRun() ? "dry-run: " : "";
    reportOnce(name, gate, "{}repair of node {} held back ({}): {}", prefix, name, gate.reason(), block.message());
    if (gate != Decision.BLOCKED_STORM) {
      // The storm guard has its one Event per storm instead.
      events.blocked(node, gate, prefix + block.message());
    }
    if (block.retryAt() != null) {
      scheduleRecheck(name, block.retryAt());
    }
    return gate;
  }

  /** Writes the start of a repair into the node's {@link RepairBudget} annotation; retried while it fails. */
  private void recordPendingStart(Node node) {
    String name = NodeFacts.name(node);
    Instant start = unrecorded.get(name);
    if (start == null) {
      return;
    }
    String value =
        RepairBudget.record(
            RepairBudget.parse(NodeFacts.annotation(node, RepairBudget.ANNOTATION)), start,
            config.safety().repairBudgetWindow());
    String patch = Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(RepairBudget.ANNOTATION, value))));
    try {
      kubernetes.nodes().resource(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      unrecorded.remove(name);
    } catch (KubernetesClientException e) {
      log.warn("cannot record the repair start on node {} ({}): {}; trying again on its next check",
          name, RepairBudget.ANNOTATION, describe(e));
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
      submit(this::reevaluateHeld);
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
    decisions.remove(name);
    unrecorded.remove(name);
    registry.forget(cluster, name);
    NodeRole role = roles.remove(name);
    if (role != null) {
      roleCounts.merge(role, -1, Integer::sum);
      leave(role, name);
      updateStorm(role, null);
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

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  private static String describe(KubernetesClientException e) {
    return e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + e.getMessage() : String.valueOf(e.getMessage());
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
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
