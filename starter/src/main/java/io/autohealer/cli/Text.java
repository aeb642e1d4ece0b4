package io.autohealer.cli;

import io.autohealer.workflows.RepairStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Formatting for the table output. */
final class Text {
  static final String NONE = "-";

  private Text() {}

  /** {@code 2026-11-25T03:00:12Z}, or {@code -}. */
  static String time(Instant instant) {
    return instant == null ? NONE : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String orNone(Object value) {
    return value == null || value.toString().isBlank() ? NONE : value.toString();
  }

  /** {@code 5m3s}, {@code 1h2m}, {@code 850ms}. */
  static String duration(Duration d) {
    if (d == null) {
      return NONE;
    }
    if (d.toSeconds() < 1) {
      return d.toMillis() + "ms";
    }
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    if (h > 0) {
      return h + "h" + m + "m";
    }
    return m > 0 ? m + "m" + s + "s" : s + "s";
  }

  /**
   * The last step of a status, e.g. {@code REBOOTING (running)} or {@code CORDONING: done}.
   *
   * @param running whether the repair runs (a closed one's unended step is not running)
   */
  static String lastStep(RepairStatus status, boolean running) {
    if (status == null || status.steps() == null || status.steps().isEmpty()) {
      return NONE;
    }
    RepairStatus.Step step = status.steps().get(status.steps().size() - 1);
    if (step.ended() == null) {
      return step.phase() + (running ? " (running)" : "");
    }
    return step.phase() + ": " + orNone(step.result());
  }

  static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }

  /** Columns left-aligned, two spaces apart, header first. */
  static String table(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] widths = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(Math.max(0, width - text.length()));
  }
}
