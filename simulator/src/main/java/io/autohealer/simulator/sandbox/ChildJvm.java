package io.autohealer.simulator.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker or detector in a JVM of its own, started from this JVM's class path, its output in a
 * log file. {@link #kill()} is a SIGKILL, {@link #close()} a SIGTERM with a grace period.
 */
public final class ChildJvm implements AutoCloseable {
  /** Environment variable that replaces the children's JVM options. */
  public static final String JVM_OPTIONS_ENV = "AUTOHEALER_CHILD_JVM_OPTS";

  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static ChildJvm start(String name, Class<?> mainClass, Path log, List<String> args) {
    return start(name, mainClass, log, jvmOptions(), args);
  }

  /** As {@link #start(String, Class, Path, List)}, with these JVM options instead of the usual ones. */
  public static ChildJvm start(String name, Class<?> mainClass, Path log, List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    command.addAll(args);
    try {
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return new ChildJvm(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * The child's JVM options: {@value #JVM_OPTIONS_ENV} when set (space-separated), e.g. the
   * container images' flags for measuring memory; else a small heap and quick start-up.
   */
  static List<String> jvmOptions() {
    String options = System.getenv(JVM_OPTIONS_ENV);
    if (options != null && !options.isBlank()) {
      return List.of(options.trim().split("\\s+"));
    }
    return List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Ends the process at once, as a crash or an OOM kill would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
