package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RepairStarterTest {
  @Test
  void shortSummaryIsKept() {
    assertEquals("Repair worker node **n1**", RepairStarter.truncate("Repair worker node **n1**"));
  }

  @Test
  void longSummaryIsCutToTheUiLimitOnACharacterBoundary() {
    String summary = "é".repeat(300);
    String cut = RepairStarter.truncate(summary);

    assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 400, cut);
    assertTrue(cut.endsWith("é..."), cut);
  }
}
