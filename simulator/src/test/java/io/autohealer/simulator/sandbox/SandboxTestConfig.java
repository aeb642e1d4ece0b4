package io.autohealer.simulator.sandbox;

import io.autohealer.simulator.Simulator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** {@link SandboxConfig} for tests in other packages. */
public final class SandboxTestConfig {
  private SandboxTestConfig() {}

  /** config.yaml for a worker on the simulator and {@code temporalTarget}, in {@code dir}. */
  public static Path write(Path dir, Simulator simulator, String temporalTarget) throws IOException {
    return SandboxConfig.write(dir, simulator, temporalTarget, Duration.ofSeconds(5), false);
  }
}
