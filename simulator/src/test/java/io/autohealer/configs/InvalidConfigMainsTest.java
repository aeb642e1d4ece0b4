package io.autohealer.configs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.detector.DetectorMain;
import io.autohealer.worker.WorkerMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config of the invalid-config corpus through the real entry points: the detector's and the
 * worker's main, in this JVM (exit code returned), and a handful through real child JVMs. Each must
 * exit 2 with exactly one {@code error: ...} line holding the entry's expected fragment, and print no
 * stack trace.
 */
class InvalidConfigMainsTest {
  /** A frame of a printed stack trace, or an exception's class name as printed by one. */
  private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at \\S+\\(|Exception:|^Caused by:");
  private static final List<String> SECRET_ENV = List.of("OS_PASSWORD", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE");

  @BeforeAll
  static void environmentDoesNotOverrideTheFiles() {
    for (String name : SECRET_ENV) {
      Assumptions.assumeTrue(System.getenv(name) == null, name + " is set; it would override the corpus' files");
    }
  }

  static List<ConfigCorpus.Entry> detectorEntries() {
    return ConfigCorpus.invalidConfigs().stream().filter(ConfigCorpus.Entry::detector).toList();
  }

  static List<ConfigCorpus.Entry> workerEntries() {
    return ConfigCorpus.invalidConfigs().stream().filter(ConfigCorpus.Entry::worker).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("detectorEntries")
  void detectorMainExitsTwoWithOneLine(ConfigCorpus.Entry entry) {
    assertRejected(entry, DetectorMain::run, List.of("--config", entry.file().toString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workerEntries")
  void workerMainExitsTwoWithOneLine(ConfigCorpus.Entry entry) {
    assertRejected(entry, WorkerMain::run, List.of("--config", entry.file().toString(), "--metrics-port", "0"));
  }

  private static void assertRejected(ConfigCorpus.Entry entry, BiFunction<PrintWriter, String[], Integer> main,
      List<String> args) {
    StringWriter err = new StringWriter();
    int code = main.apply(new PrintWriter(err, true), args.toArray(String[]::new));
    assertEquals(2, code, entry + ": exit code; stderr: " + err);
    assertOneErrorLine(entry, err.toString());
  }

  private static void assertOneErrorLine(ConfigCorpus.Entry entry, String stderr) {
    List<String> lines = stderr.lines().toList();
    assertEquals(1, lines.size(), entry + ": one line on stderr, got:\n" + stderr);
    assertTrue(lines.get(0).startsWith("error: "), entry + ": " + lines.get(0));
    assertTrue(lines.get(0).contains(entry.expect()), entry + ": expected \"" + entry.expect() + "\" in: " + lines.get(0));
    assertFalse(STACK_TRACE.matcher(stderr).find(), entry + ": a stack trace on stderr:\n" + stderr);
  }

  /** A process of its own per main and entry: the real exit code, stderr and stdout. */
  @Test
  void childJvmsExitTwoAndPrintNoStackTrace(@TempDir Path dir) throws Exception {
    List<String> picked = List.of("monitor-interval-word", "yaml-unclosed-bracket", "root-list",
        "duplicate-key-same", "temporal-tls-ca-file-not-pem", "endpoint-protocol-tcp", "auth-url-no-scheme");
    List<ConfigCorpus.Entry> entries = ConfigCorpus.invalidConfigs().stream()
        .filter(e -> picked.stream().anyMatch(p -> e.toString().endsWith("-" + p + ".yaml"))).toList();
    assertEquals(picked.size(), entries.size(), "picked entries found: " + entries);

    record Child(ConfigCorpus.Entry entry, String main, Process process, Path out, Path err) {}
    List<Child> children = new ArrayList<>();
    for (ConfigCorpus.Entry entry : entries) {
      for (Class<?> main : List.of(DetectorMain.class, WorkerMain.class)) {
        if (main == DetectorMain.class ? !entry.detector() : !entry.worker()) {
          continue;
        }
        String name = main.getSimpleName() + "-" + entry;
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(javaCommand(main, entry.file()))
            .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        SECRET_ENV.forEach(env::remove);
        children.add(new Child(entry, main.getSimpleName(), builder.start(), out, err));
      }
    }
    try {
      for (Child child : children) {
        assertTrue(child.process().waitFor(2, TimeUnit.MINUTES), child.main() + " " + child.entry() + " still running");
        String stderr = Files.readString(child.err(), StandardCharsets.UTF_8);
        String stdout = Files.readString(child.out(), StandardCharsets.UTF_8);
        String what = child.main() + " " + child.entry();
        assertEquals(2, child.process().exitValue(), what + ": exit code; stderr: " + stderr + "\nstdout: " + stdout);
        assertOneErrorLine(child.entry(), stderr);
        assertFalse(STACK_TRACE.matcher(stdout).find(), what + ": a stack trace on stdout:\n" + stdout);
      }
    } finally {
      children.forEach(c -> c.process().destroyForcibly());
    }
    System.out.printf("InvalidConfigMainsTest: %d child JVMs exited 2 with one error line%n", children.size());
  }

  private static List<String> javaCommand(Class<?> main, Path config) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), main.getName(), "--config", config.toString()));
    if (main == WorkerMain.class) {
      command.addAll(List.of("--metrics-port", "0"));
    }
    return command;
  }
}
