package io.autohealer.detector;

import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.HealthReportPolicy;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the detector's per-pass {@link HealthReport} to a {@link Sink} (the worker's {@code
 * ClusterHealthWorkflow}) when the reported state changed, or every {@code refresh} (5 minutes) as a
 * heartbeat. Sending happens on its own thread, newest report first: the detector's thread never
 * waits for Temporal, and a failed send is simply tried again after the next pass.
 */
public final class HealthReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthReporter.class);

  /** Where reports go; may block and throw. */
  @FunctionalInterface
  public interface Sink {
    void send(HealthReport report);
  }

  private final Sink sink;
  private final Duration refresh;
  private final ExecutorService sender;
  private final AtomicReference<HealthReport> queued = new AtomicReference<>();
  /** The report last handed to the sender and not known to have failed; guarded by this. */
  private HealthReport handed;
  /** The report last sent successfully; guarded by this. */
  private HealthReport sent;
  private boolean failing;

  public HealthReporter(Sink sink) {
    this(sink, HealthReportPolicy.DEFAULT_REFRESH_INTERVAL);
  }

  public HealthReporter(Sink sink, Duration refresh) {
    this.sink = sink;
    this.refresh = refresh;
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "health-report");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** After a pass, on the detector's thread: sends the report if due. Never blocks. */
  public void passCompleted(HealthReport report) {
    synchronized (this) {
      if (handed != null && handed.sameState(report)
          && report.reportedAt().isBefore(handed.reportedAt().plus(refresh))) {
        return;
      }
      handed = report;
    }
    if (queued.getAndSet(report) == null) {
      try {
        sender.execute(this::sendQueued);
      } catch (RejectedExecutionException closed) {
        queued.set(null);
      }
    }
  }

  private void sendQueued() {
    HealthReport report = queued.getAndSet(null);
    if (report == null) {
      return;
    }
    try {
      sink.send(report);
      synchronized (this) {
        sent = report;
        if (failing) {
          log.info("health reports reach the worker again");
        }
        failing = false;
      }
      log.debug("health report sent: {}", report.describe());
    } catch (RuntimeException e) {
      synchronized (this) {
        if (handed == report) {
          handed = sent; // so that the next pass tries again
        }
        if (!failing) {
          log.warn("could not send the health report ({}): {}; trying again after the next pass",
              report.describe(), e.toString());
        }
        failing = true;
      }
    }
  }

  /** The report last sent successfully, or null. */
  public synchronized HealthReport lastSent() {
    return sent;
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
