package io.autohealer.simulator.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of a test bed (etcd, kube-apiserver, the Temporal dev server, Keystone) whose
 * stdout and stderr are appended to a log file, one header line per start. It polls for readiness
 * until a deadline, failing with the tail of this start's log when the process exits first or the
 * deadline passes; it stops with SIGTERM, then SIGKILL; and it is stopped when the JVM exits.
 */
public final class ManagedProcess {
  private static final Logger log = LoggerFactory.getLogger(ManagedProcess.class);

  /** The address the test beds bind to. */
  public static final String LOOPBACK = "127.0.0.1";

  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration EXIT_GRACE = Duration.ofSeconds(5);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);
  private static final int TAIL_LINES = 30;
  private static final int TAIL_BYTES = 64 * 1024;
  private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(
        new Thread(ManagedProcess::stopAllOnExit, "managed-process-exit"));
  }

  private final String name;
  private final Process process;
  private final Path logFile;
  private final long logOffset;

  private ManagedProcess(String name, Process process, Path logFile, long logOffset) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.logOffset = logOffset;
  }

  /**
   * Starts {@code command} (its command line, directory and environment as the caller set them)
   * with its output appended to {@code logFile} after a header line {@code === <now> <note>:
   * <command line>}.
   *
   * @param name how messages name the process, e.g. {@code etcd}
   * @param note in the header line, e.g. {@code start #2}; null for none
   */
  public static ManagedProcess start(String name, ProcessBuilder command, Path logFile, String note) {
    String commandLine = String.join(" ", command.command());
    try {
      long offset = Files.exists(logFile) ? Files.size(logFile) : 0;
      Files.writeString(logFile,
          "=== " + Instant.now() + (note == null ? "" : " " + note) + ": " + commandLine + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Process p = command
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
      p.getOutputStream().close();
      ManagedProcess child = new ManagedProcess(name, p, logFile, offset);
      LIVE.add(child);
      p.onExit().thenRun(() -> LIVE.remove(child));
      log.info("{} starting (pid {}), log {}", name, p.pid(), logFile);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.command().get(0), e);
    }
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Polls {@code condition} until it holds.
   *
   * @param what what is awaited, for messages: {@code ... before <what>}
   * @param timeout the time {@code deadline} allows, for messages
   * @throws ExitedException when the process exits first
   * @throws IllegalStateException when the deadline passes first
   */
  public void await(String what, Instant deadline, Duration timeout, BooleanSupplier condition) {
    while (true) {
      if (!process.isAlive()) {
        String output = output();
        throw new ExitedException(name + " exited with code " + process.exitValue() + " before "
            + what + "; log " + logFile + ":\n" + lastLines(output), output);
      }
      if (condition.getAsBoolean()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(name + " not ready within " + timeout.toSeconds()
            + "s: waiting until " + what + "; log " + logFile + ":\n" + lastLines(output()));
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting until " + what, e);
      }
    }
  }

  /** SIGTERM, then SIGKILL when the process has not exited within {@code timeout}. */
  public void stop(Duration timeout) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!waitFor(timeout)) {
      log.warn("{} (pid {}) did not stop within {}s after SIGTERM; sending SIGKILL", name,
          process.pid(), timeout.toSeconds());
      kill();
    }
  }

  /** SIGKILL; true when the process has exited within ten seconds. */
  public boolean kill() {
    process.destroyForcibly();
    return waitFor(KILL_WAIT);
  }

  /** This start's output (at most its last 64 KiB). */
  public String output() {
    try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
      long length = f.length();
      long from = Math.max(logOffset, length - TAIL_BYTES);
      byte[] bytes = new byte[(int) (length - from)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** A port on {@link #LOOPBACK} that is free now and is none of {@code avoid}. */
  public static int freePort(int... avoid) {
    for (int i = 0; i < 10; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
        int port = s.getLocalPort();
        if (Arrays.stream(avoid).noneMatch(a -> a == port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
      }
    }
    throw new IllegalStateException("cannot find a free port on " + LOOPBACK);
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return !process.isAlive();
    }
  }

  static String lastLines(String text) {
    List<String> lines = text.lines().collect(Collectors.toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  /** SIGTERM to every process still running, then SIGKILL to those not gone within 5 s. */
  private static void stopAllOnExit() {
    List<ManagedProcess> running = List.copyOf(LIVE);
    running.forEach(p -> p.process.destroy());
    Instant deadline = Instant.now().plus(EXIT_GRACE);
    for (ManagedProcess p : running) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || !p.waitFor(left)) {
        p.process.destroyForcibly();
      }
    }
  }

  /** The process exited before what was awaited; {@link #output()} is its output since it started. */
  public static final class ExitedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient String output;

    ExitedException(String message, String output) {
      super(message);
      this.output = output;
    }

    public String output() {
      return output;
    }

    /** True when the output says a port was taken: worth picking ports again. */
    public boolean portTaken() {
      return output.contains("address already in use");
    }
  }
}
