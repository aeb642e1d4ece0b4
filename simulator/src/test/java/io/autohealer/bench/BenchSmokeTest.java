package io.autohealer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code bin/bench} at a tiny size: it runs to the end and prints every measure. The numbers are
 * not judged (they belong to the benchmark, on a quiet machine); only that each one is there.
 */
class BenchSmokeTest {

  @Test
  @Timeout(240)
  void printsEveryMeasureAtATinySize() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      exit = new CommandLine(new Bench()).execute("--sizes", "10", "--broken", "2", "--unhealthy-duration", "2",
          "--probe-timeout", "1s", "--in-flight", "5", "--overhead-repairs", "1", "--overhead-speed", "20",
          "--poll-interval", "1", "--no-overhead-drain", "--work-dir", "target/bench-smoke");
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.println(out);

    assertEquals(0, exit, out);
    for (String measure : List.of(
        "repair start after the unhealthy-duration (PT2S) elapsed, 2 nodes broken at once: p50 ",
        "NodeCondition passes: 5; API calls per pass",
        "detector-thread CPU per pass: median ",
        "heap used after a pass (after GC): ",
        "Endpoint pass 1: the pass itself ",
        "1 silent until the 1s timeout",
        "5 repairs started and waiting for approval",
        "worker heap with 5 repairs in flight: ",
        "orchestration overhead per repair: median ",
        "| 10 | ")) {
      assertTrue(out.contains(measure), "missing \"" + measure + "\" in:\n" + out);
    }
  }
}
