package io.autohealer.workflows;

import java.time.Duration;

/** Durations as people and the Go config write them: 90s, 5m, 1h30m (not Java's PT1M30S). */
final class Durations {
  private Durations() {}

  static String text(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int millis = d.toMillisPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0 || (millis > 0 && out.isEmpty())) {
      out.append(seconds);
      if (millis > 0) {
        out.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
      }
      out.append('s');
    }
    return out.toString();
  }
}
