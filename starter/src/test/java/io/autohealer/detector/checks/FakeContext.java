package io.autohealer.detector.checks;

import io.autohealer.detector.HealthCheckContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The detector as a check sees it, recording what the check asks of it. */
final class FakeContext implements HealthCheckContext {
  final BlockingQueue<String> rechecks = new LinkedBlockingQueue<>();
  /** "node key=value", or "node key-" for a removal. */
  final List<String> annotations = new CopyOnWriteArrayList<>();
  volatile Duration monitorInterval = Duration.ofSeconds(60);

  @Override
  public void recheck(String node) {
    rechecks.add(node);
  }

  @Override
  public void annotate(String node, String key, String value) {
    annotations.add(node + " " + key + (value == null ? "-" : "=" + value));
  }

  @Override
  public Duration monitorInterval() {
    return monitorInterval;
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }

  String awaitRecheck() throws InterruptedException {
    String node = rechecks.poll(20, TimeUnit.SECONDS);
    if (node == null) {
      throw new AssertionError("no re-check asked for");
    }
    return node;
  }
}
