package io.autohealer.simulator.openstack;

import io.autohealer.simulator.world.SimTiming;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the asynchronous parts of simulated operations after scaled delays. */
final class SimScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimScheduler.class);

  private final SimTiming timing;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "openstack-sim-scheduler");
        t.setDaemon(true);
        return t;
      });

  SimScheduler(SimTiming timing) {
    this.timing = timing;
  }

  /** Runs {@code task} after {@code realDelay} divided by the simulation speed. */
  void after(Duration realDelay, Runnable task) {
    long nanos = timing.scaled(realDelay).toNanos();
    executor.schedule(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("simulated operation failed", e);
      }
    }, nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
