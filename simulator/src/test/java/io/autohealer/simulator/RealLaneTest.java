package io.autohealer.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.opentest4j.TestAbortedException;

class RealLaneTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private RealLane lane(boolean installed, boolean ci) {
    return new RealLane("real-Tool", "real-tool", () -> installed, () -> "tool missing: run install-tool",
        UnsupportedOperationException::new, () -> ci, new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void anInstalledToolRuns() {
    RealLane lane = lane(true, false);
    ConditionEvaluationResult result = lane.evaluate("tool found");
    assertFalse(result.isDisabled());
    assertEquals("tool found", result.getReason().orElseThrow());
    lane.requireInstalled();
    lane.assumeInstalled();
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingToolSkipsWithOneLineOnStderr() {
    RealLane lane = lane(false, false);
    ConditionEvaluationResult result = lane.evaluate("tool found");
    assertTrue(result.isDisabled());
    assertEquals("real-Tool lane skipped: tool missing: run install-tool", result.getReason().orElseThrow());
    assertThrows(TestAbortedException.class, lane::assumeInstalled);
    lane.evaluate("tool found");
    assertEquals("[real-tool] real-Tool lane skipped: tool missing: run install-tool\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void onCiAMissingToolFailsInsteadOfSkipping() {
    RealLane lane = lane(false, true);
    ConditionEvaluationResult result = lane.evaluate("tool found");
    assertFalse(result.isDisabled());
    assertEquals("CI=true: the real-Tool lane never skips", result.getReason().orElseThrow());
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, lane::requireInstalled);
    assertEquals("tool missing: run install-tool (CI=true: the real-Tool lane does not skip)", e.getMessage());
    assertThrows(UnsupportedOperationException.class, lane::assumeInstalled);
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }
}
