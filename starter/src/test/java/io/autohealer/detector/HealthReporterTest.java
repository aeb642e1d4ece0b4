package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.HealthReport.UnhealthyNode;
import io.autohealer.workflows.HealthStatus;
import io.autohealer.workflows.NodeRole;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthReporterTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final List<UnhealthyNode> W1 = List.of(new UnhealthyNode("w-1", NodeRole.WORKER, "NodeConditionCheck"));

  private final BlockingQueue<HealthReport> sent = new LinkedBlockingQueue<>();

  private static HealthReport healthy(long seconds) {
    return HealthReport.of(List.of(), T0.plusSeconds(seconds));
  }

  private HealthReport next() throws InterruptedException {
    HealthReport report = sent.poll(5, TimeUnit.SECONDS);
    if (report == null) {
      throw new AssertionError("nothing sent");
    }
    return report;
  }

  private void assertNothingSent() throws InterruptedException {
    HealthReport report = sent.poll(200, TimeUnit.MILLISECONDS);
    assertEquals(null, report);
  }

  @Test
  void sendsOnChangeAndEveryRefreshOtherwiseNothing() throws InterruptedException {
    try (HealthReporter reporter = new HealthReporter(sent::add, Duration.ofMinutes(5))) {
      reporter.passCompleted(healthy(0));
      assertEquals(healthy(0), next());
      reporter.passCompleted(healthy(60));
      reporter.passCompleted(healthy(120));
      assertNothingSent();

      reporter.passCompleted(HealthReport.of(W1, T0.plusSeconds(180)));
      assertEquals(HealthStatus.UNHEALTHY, next().status());
      reporter.passCompleted(HealthReport.of(W1, T0.plusSeconds(240)));
      assertNothingSent();
      reporter.passCompleted(HealthReport.of(W1, T0.plusSeconds(480)));
      assertEquals(T0.plusSeconds(480), next().reportedAt(), "5 minutes after the last one sent");

      reporter.passCompleted(HealthReport.unknown(T0.plusSeconds(500)));
      assertEquals(HealthStatus.UNKNOWN, next().status());
    }
  }

  @Test
  void aFailedSendIsTriedAgainAfterTheNextPass() throws InterruptedException {
    AtomicInteger failures = new AtomicInteger(1);
    try (HealthReporter reporter = new HealthReporter(report -> {
      if (failures.getAndDecrement() > 0) {
        throw new IllegalStateException("Temporal is unreachable");
      }
      sent.add(report);
    })) {
      reporter.passCompleted(healthy(0));
      assertNothingSent();
      reporter.passCompleted(healthy(60));
      assertEquals(healthy(60), next());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (reporter.lastSent() == null && System.nanoTime() < deadline) {
        Thread.sleep(5); // recorded just after the sink returns
      }
      assertEquals(healthy(60), reporter.lastSent());
    }
  }

  @Test
  void aPassNeverWaitsForTheSinkAndOnlyTheNewestReportIsSent() throws InterruptedException {
    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    try (HealthReporter reporter = new HealthReporter(report -> {
      blocked.countDown();
      try {
        unblock.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sent.add(report);
    })) {
      reporter.passCompleted(healthy(0));
      assertTrue(blocked.await(5, TimeUnit.SECONDS));
      long started = System.nanoTime();
      reporter.passCompleted(HealthReport.of(W1, T0.plusSeconds(60)));
      reporter.passCompleted(HealthReport.unknown(T0.plusSeconds(120)));
      assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(100));
      unblock.countDown();

      assertEquals(healthy(0), next());
      assertEquals(HealthStatus.UNKNOWN, next().status(), "the UNHEALTHY in between was superseded");
      assertNothingSent();
    }
  }
}
