package io.autohealer.simulator.world;

import java.time.Duration;

/**
 * Simulated durations at a speed factor: with speed 60, a 5 minute boot takes 5 seconds.
 *
 * @param speed how many times faster than real time the simulation runs (1 = real time)
 */
public record SimTiming(double speed) {
  public SimTiming {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be > 0, got " + speed);
    }
  }

  public Duration scaled(Duration real) {
    return Duration.ofNanos((long) (real.toNanos() / speed));
  }
}
