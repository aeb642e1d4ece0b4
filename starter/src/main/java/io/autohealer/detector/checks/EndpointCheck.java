package io.autohealer.detector.checks;

import io.autohealer.config.GoDuration;
import io.autohealer.detector.CheckResult;
import io.autohealer.detector.HealthCheck;
import io.autohealer.detector.HealthCheckContext;
import io.autohealer.detector.NodeFacts;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Go {@code Endpoint} plugin ({@code EndpointCheck}): GETs {@code
 * <protocol>://<InternalIP>:<port>/<path>} for each endpoint and fails a node whose probes keep
 * failing (refused, no answer within the timeout, TLS failure, or a status not in {@code
 * ok-codes}) for {@code unhealthy-duration}. Usable on masters and workers (Go: masters only).
 *
 * <p>Unlike Go, nothing here blocks the detector: {@link #check} starts a probe on the {@link
 * EndpointProber}'s bounded pool when one is due (at most every half {@code monitor-interval} per
 * node) and answers from the last completed probe; when a probe changes the answer it asks the
 * detector to look again. When the duration is over, one more probe confirms before the check
 * fails, so a node is never condemned on an old failure.
 *
 * <p>The time failing began is kept in memory. It is also written to the node's {@code
 * unhealthy-annotation} (Go's format, {@code 2006-01-02 15:04:05} in UTC) once when failing
 * begins, and removed once when it ends, each with one merge patch: never a read and update of every
 * healthy node on every pass, which is what Go does. The annotation only serves continuity: after a
 * restart or a leader change the first failing probe resumes from it. Give two Endpoint entries of
 * one role different annotations.
 *
 * <p>A node with no {@code InternalIP} cannot be judged (logged once, reported as unknown); Go
 * counts it healthy. With {@code require-token} and no readable token, likewise.
 */
public final class EndpointCheck implements HealthCheck {
  public static final String NAME = "EndpointCheck";
  private static final Logger log = LoggerFactory.getLogger(EndpointCheck.class);
  /** Go's {@code "2006-01-02 15:04:05"}; Go parses it back as UTC, so UTC is what we write. */
  static final DateTimeFormatter GO_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final EndpointSettings settings;
  private final String source;
  private final BearerToken token;
  private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();
  private final Set<String> withoutAddress = ConcurrentHashMap.newKeySet();
  private volatile HealthCheckContext context;
  private volatile EndpointProber prober;
  private volatile boolean closed;

  /**
   * @param source the config path of the entry, for logs, e.g. {@code healthcheck.master[1]}
   */
  public EndpointCheck(EndpointSettings settings, String source) {
    this(settings, source, defaultToken(settings));
  }

  EndpointCheck(EndpointSettings settings, String source, BearerToken token) {
    this.settings = settings;
    this.source = source;
    this.token = token;
  }

  private static BearerToken defaultToken(EndpointSettings settings) {
    return settings.token() != null && !settings.token().isEmpty()
        ? BearerToken.fixed(settings.token())
        : BearerToken.file(settings.tokenFile(), BearerToken.DEFAULT_STAT_INTERVAL);
  }

  /** What is known of one node; guarded by itself. */
  private static final class NodeState {
    /** The outcome of the last completed probe, or null before the first. */
    ProbeOutcome last;
    /** When the probe that gave {@link #last} started. */
    Instant lastStartedAt;
    /** When the latest probe (running or completed) started. */
    Instant probeStartedAt;
    boolean running;
    /** A probe was started to confirm a failure whose duration is over. */
    boolean confirming;
    /** When failing began (in memory), null while it answers. */
    Instant failingSince;
    /** Whether the node carries the annotation, as the cache showed it last. */
    boolean annotated;
    /** Its value, when it parses. */
    Instant annotatedSince;
    /** Whether this process wrote the annotation and has not removed it. */
    boolean written;
    /**
     * This process patched the annotation: from then on {@link #written} is the truth and the
     * cache, which may lag behind the patch, is no longer read.
     */
    boolean patched;
    /** A failure to write the annotation was logged in this failing episode. */
    boolean writeFailureLogged;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean supportsMaster() {
    return true;
  }

  @Override
  public boolean supportsWorker() {
    return true;
  }

  @Override
  public synchronized void start(HealthCheckContext context) {
    if (this.context != null) {
      throw new IllegalStateException(source + ": the Endpoint check is started already");
    }
    this.context = context;
    this.prober = new EndpointProber(settings, token, "endpoint-probe");
    log.info("{}: {}", source, this);
  }

  @Override
  public CheckResult check(Node node, Instant now) {
    EndpointProber probes = prober;
    if (probes == null) {
      throw new IllegalStateException(source + ": the Endpoint check was not started");
    }
    String name = NodeFacts.name(node);
    String address = NodeFacts.internalIp(node).orElse(null);
    if (address == null) {
      if (withoutAddress.add(name)) {
        log.warn("{}: node {} has no InternalIP address; the Endpoint check cannot judge it", source, name);
      }
      return CheckResult.unknown("no InternalIP address to probe");
    }
    if (withoutAddress.remove(name)) {
      log.info("{}: node {} has an InternalIP address again ({})", source, name, address);
    }
    String annotation = node.getMetadata().getAnnotations() == null ? null
        : node.getMetadata().getAnnotations().get(settings.unhealthyAnnotation());
    NodeState state = nodes.computeIfAbsent(name, n -> new NodeState());
    boolean probe;
    CheckResult result;
    synchronized (state) {
      if (!state.patched) {
        state.annotated = annotation != null;
        state.annotatedSince = parseTimestamp(annotation);
      }
      probe = !state.running && probeDue(state, now);
      if (probe) {
        state.running = true;
        state.confirming = overdue(state, now);
        state.probeStartedAt = now;
      }
      result = judge(state, now);
    }
    if (probe) {
      Instant startedAt = now;
      probes.submit(address, outcome -> completed(name, state, startedAt, outcome));
    }
    return result;
  }

  /** A first probe, a periodic one, or one to confirm a failure whose duration is over. */
  private boolean probeDue(NodeState state, Instant now) {
    if (state.probeStartedAt == null) {
      return true;
    }
    Duration every = context.monitorInterval().dividedBy(2);
    return !now.isBefore(state.probeStartedAt.plus(every)) || overdue(state, now);
  }

  /** Failing for the whole duration, and the last failure was seen before that was over. */
  private boolean overdue(NodeState state, Instant now) {
    if (!(state.last instanceof ProbeOutcome.Failed) || state.failingSince == null) {
      return false;
    }
    Instant due = state.failingSince.plus(settings.unhealthyDuration());
    return !now.isBefore(due) && state.lastStartedAt.isBefore(due);
  }

  private CheckResult judge(NodeState state, Instant now) {
    ProbeOutcome last = state.last;
    if (last instanceof ProbeOutcome.CannotJudge cannot) {
      return CheckResult.unknown(cannot.reason());
    }
    if (!(last instanceof ProbeOutcome.Failed failed) || state.failingSince == null) {
      return CheckResult.healthy(); // answers, or the first probe is under way (Go: healthy)
    }
    Instant due = state.failingSince.plus(settings.unhealthyDuration());
    if (now.isBefore(due)) {
      return CheckResult.pending(failed.reason() + " (failing since " + state.failingSince + ")", due);
    }
    if (overdue(state, now)) {
      Duration budget = settings.timeout().multipliedBy(settings.endpoints().size()).plusSeconds(1);
      return CheckResult.pending(failed.reason() + "; confirming with a new probe", now.plus(budget));
    }
    Duration failing = Duration.between(state.failingSince, now).truncatedTo(ChronoUnit.SECONDS);
    return CheckResult.unhealthy(failed.reason() + " for " + GoDuration.format(failing));
  }

  /** On a probe thread: records the outcome, keeps the annotation in step, asks for a re-check. */
  private void completed(String name, NodeState state, Instant startedAt, ProbeOutcome outcome) {
    String write = null;
    boolean remove = false;
    boolean recheck;
    synchronized (state) {
      state.running = false;
      ProbeOutcome previous = state.last;
      state.last = outcome;
      state.lastStartedAt = startedAt;
      if (outcome instanceof ProbeOutcome.Failed failed) {
        if (state.failingSince == null) {
          Instant resumed = state.patched ? null : state.annotatedSince;
          state.failingSince = resumed != null && !resumed.isAfter(startedAt) ? resumed : startedAt;
          state.writeFailureLogged = false;
          write = carriesAnnotation(state) ? null : GO_TIMESTAMP.format(
              LocalDateTime.ofInstant(state.failingSince, ZoneOffset.UTC));
          log.info("{}: node {} fails its Endpoint probe: {}; failing since {}, unhealthy after {}", source, name,
              failed.reason(), state.failingSince, GoDuration.format(settings.unhealthyDuration()));
        }
      } else if (outcome instanceof ProbeOutcome.Ok) {
        if (state.failingSince != null) {
          log.info("{}: node {} answers its endpoints again", source, name);
        }
        state.failingSince = null;
        remove = carriesAnnotation(state);
      }
      recheck = kind(previous) != kind(outcome) || state.confirming;
      state.confirming = false;
    }
    if (closed || nodes.get(name) != state) {
      return; // the detector stopped (its client may be closed), or the node is gone
    }
    if (write != null) {
      annotate(name, state, write);
    } else if (remove) {
      annotate(name, state, null);
    }
    if (recheck) {
      context.recheck(name);
    }
  }

  private void annotate(String name, NodeState state, String value) {
    try {
      context.annotate(name, settings.unhealthyAnnotation(), value);
      synchronized (state) {
        state.written = value != null;
        state.patched = true;
      }
    } catch (RuntimeException e) {
      synchronized (state) {
        if (state.writeFailureLogged) {
          return;
        }
        state.writeFailureLogged = true;
      }
      log.warn("{}: could not {} annotation {} of node {} (the check goes on from memory): {}", source,
          value == null ? "remove the" : "write the", settings.unhealthyAnnotation(), name, e.getMessage());
    }
  }

  private static boolean carriesAnnotation(NodeState state) {
    return state.patched ? state.written : state.annotated;
  }

  /** Ok and "not probed yet" are one kind: both judge healthy. */
  private static Class<?> kind(ProbeOutcome outcome) {
    return outcome == null ? ProbeOutcome.Ok.class : outcome.getClass();
  }

  /** Go's format (as UTC), or RFC 3339; null when absent or unreadable. */
  static Instant parseTimestamp(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return LocalDateTime.parse(value.trim(), GO_TIMESTAMP).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notGo) {
      try {
        return OffsetDateTime.parse(value.trim()).toInstant();
      } catch (DateTimeParseException notRfc3339) {
        return null;
      }
    }
  }

  @Override
  public void forget(String node) {
    nodes.remove(node);
    withoutAddress.remove(node);
  }

  @Override
  public void close() {
    closed = true;
    EndpointProber probes = prober;
    if (probes != null) {
      probes.close();
    }
  }

  /** Counters of this check's probes; zeros before {@link #start}. */
  public ProbeStats stats() {
    EndpointProber probes = prober;
    return probes == null ? new ProbeStats(0, 0, 0, 0, 0, 0, 0, 0) : probes.stats();
  }

  public EndpointSettings settings() {
    return settings;
  }

  @Override
  public String toString() {
    return NAME + "[" + settings.protocol() + "://<InternalIP>:" + settings.port() + settings.endpoints()
        + ", ok-codes=" + settings.okCodes() + ", unhealthy-duration=" + GoDuration.format(settings.unhealthyDuration())
        + ", require-token=" + settings.requireToken() + (settings.requireToken() ? " (" + token.describe() + ")" : "")
        + ", timeout=" + GoDuration.format(settings.timeout()) + ", concurrency=" + settings.concurrency()
        + ("https".equals(settings.protocol()) ? ", TLS not verified" : "") + "]";
  }
}
