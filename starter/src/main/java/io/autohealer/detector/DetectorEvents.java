package io.autohealer.detector;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events about Nodes (core/v1, namespace {@value #NAMESPACE}, source {@value
 * #COMPONENT}), so that {@code kubectl describe node} and {@code kubectl get events} show what the
 * healer saw and decided. Best effort: posted on a thread of their own, from a bounded queue, and
 * a failure is logged, never raised.
 *
 * <p>Reasons: {@code NodeUnhealthy}, {@code RepairStarted}, {@code RepairBlocked}, {@code
 * RepairBudgetExhausted}, {@code RepairStormGuard}, {@code RepairDryRun}. All but {@code
 * RepairStarted} and {@code RepairStormGuard} (which the detector emits once per storm) are
 * rate-limited to one per node and reason (gate) per {@link #RATE_LIMIT}.
 */
final class DetectorEvents implements AutoCloseable {
  static final String NAMESPACE = "default";
  static final String COMPONENT = "magnum-autohealer";
  static final Duration RATE_LIMIT = Duration.ofMinutes(10);

  static final String NODE_UNHEALTHY = "NodeUnhealthy";
  static final String REPAIR_STARTED = "RepairStarted";
  static final String REPAIR_BLOCKED = "RepairBlocked";
  static final String BUDGET_EXHAUSTED = "RepairBudgetExhausted";
  static final String STORM = "RepairStormGuard";
  static final String DRY_RUN = "RepairDryRun";

  private static final Logger log = LoggerFactory.getLogger(DetectorEvents.class);
  private static final int QUEUE = 512;
  private static final int MESSAGE_LIMIT = 1024;

  private final KubernetesClient kubernetes;
  private final Clock clock;
  private final String instance;
  private final ThreadPoolExecutor poster;
  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final AtomicLong lastNanos = new AtomicLong();
  /** node + reason key to when its last Event was emitted; touched on the detector's thread only. */
  private final Map<String, Instant> lastEmitted = new HashMap<>();

  DetectorEvents(KubernetesClient kubernetes, Clock clock, String instance) {
    this.kubernetes = kubernetes;
    this.clock = clock;
    this.instance = instance;
    this.poster =
        new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread thread = new Thread(r, "detector-events");
              thread.setDaemon(true);
              return thread;
            },
            (task, executor) -> log.debug("event queue full; an Event is dropped"));
  }

  void unhealthy(Node node, String message) {
    limited(node, NODE_UNHEALTHY, "Warning", NODE_UNHEALTHY, message);
  }

  void repairStarted(Node node, String message) {
    post(node, "Normal", REPAIR_STARTED, message);
  }

  /** A gate held the repair back (budget exhaustion has a reason of its own). */
  void blocked(Node node, Decision gate, String message) {
    if (gate == Decision.BLOCKED_BUDGET_EXHAUSTED) {
      limited(node, gate.reason(), "Warning", BUDGET_EXHAUSTED, message);
    } else {
      limited(node, gate.reason(), "Warning", REPAIR_BLOCKED, "Repair held back (" + gate.reason() + "): " + message);
    }
  }

  void storm(Node node, String message) {
    post(node, "Warning", STORM, message);
  }

  void dryRun(Node node, String message) {
    limited(node, DRY_RUN, "Normal", DRY_RUN, message);
  }

  private void limited(Node node, String key, String type, String reason, String message) {
    Instant now = clock.instant();
    String limitKey = node.getMetadata().getName() + "\n" + key;
    Instant last = lastEmitted.get(limitKey);
    if (last != null && now.isBefore(last.plus(RATE_LIMIT))) {
      return;
    }
    if (lastEmitted.size() > 10_000) {
      lastEmitted.values().removeIf(t -> !now.isBefore(t.plus(RATE_LIMIT)));
    }
    lastEmitted.put(limitKey, now);
    post(node, type, reason, message);
  }

  private void post(Node node, String type, String reason, String message) {
    Event event = event(node, type, reason, message, clock.instant());
    try {
      poster.execute(() -> {
        try {
          kubernetes.v1().events().inNamespace(NAMESPACE).resource(event).create();
          failureLogged.set(false);
        } catch (RuntimeException e) {
          if (failureLogged.compareAndSet(false, true)) {
            log.warn("cannot record Event {} on node {}: {} (further failures are logged at debug)",
                reason, node.getMetadata().getName(), e.toString());
          } else {
            log.debug("cannot record Event {} on node {}: {}", reason, node.getMetadata().getName(), e.toString());
          }
        }
      });
    } catch (RuntimeException e) {
      log.debug("Event {} on node {} not queued: {}", reason, node.getMetadata().getName(), e.toString());
    }
  }

  Event event(Node node, String type, String reason, String message, Instant now) {
    String name = node.getMetadata().getName();
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String text = message.length() <= MESSAGE_LIMIT ? message : message.substring(0, MESSAGE_LIMIT - 3) + "...";
    return new EventBuilder()
        .withNewMetadata()
        // As client-go names them: <object>.<unix nanos in hex>, made unique within this process.
        .withName(name + "." + Long.toHexString(uniqueNanos(now)))
        .withNamespace(NAMESPACE)
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(name)
        .withUid(node.getMetadata().getUid())
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(instance)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .build();
  }

  /** Waits until every Event queued so far has been posted or has failed (tests). */
  void flush(Duration timeout) {
    try {
      poster.submit(() -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new IllegalStateException("Events not posted within " + timeout, e);
    }
  }

  private long uniqueNanos(Instant now) {
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return lastNanos.updateAndGet(last -> Math.max(last + 1, nanos));
  }

  @Override
  public void close() {
    poster.shutdown();
    try {
      poster.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    poster.shutdownNow();
  }
}
