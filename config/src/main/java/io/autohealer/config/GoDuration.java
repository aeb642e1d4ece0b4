package io.autohealer.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Go's {@code time.ParseDuration} syntax ({@code 15s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}),
 * so that durations in a config written for the Go service mean the same here.
 */
public final class GoDuration {
  private static final Map<String, Long> UNIT_NANOS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L,
          "\u03bcs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private GoDuration() {}

  /** Parses a Go duration string; empty when it is not one. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    int i = 0;
    boolean negative = false;
    if (text.charAt(0) == '-' || text.charAt(0) == '+') {
      negative = text.charAt(0) == '-';
      i++;
    }
    if (text.substring(i).equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    if (i == text.length()) {
      return Optional.empty();
    }
    BigDecimal total = BigDecimal.ZERO;
    while (i < text.length()) {
      int numberStart = i;
      while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      String number = text.substring(numberStart, i);
      int unitStart = i;
      while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
        i++;
      }
      Long unit = UNIT_NANOS.get(text.substring(unitStart, i));
      if (unit == null || number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        return Optional.empty();
      }
      total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
    }
    if (total.compareTo(MAX_NANOS) > 0) {
      return Optional.empty();
    }
    long nanos = total.longValue();
    return Optional.of(Duration.ofNanos(negative ? -nanos : nanos));
  }

  /** Formats like Go's {@code Duration.String()} without zero parts: {@code 1h5m}, {@code 90s} as {@code 1m30s}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    StringBuilder out = new StringBuilder();
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    int millis = duration.toMillisPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0) {
      out.append(seconds).append('s');
    }
    if (millis > 0) {
      out.append(millis).append("ms");
    }
    return out.isEmpty() ? duration.toNanos() + "ns" : out.toString();
  }
}
