package io.autohealer.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storm guard's limit ({@code max-unhealthy}): a count of nodes ({@code 3}) or a percentage of
 * a role's nodes ({@code 40%}). More unhealthy nodes of a role than the limit and the detector
 * starts no repair of that role: so many failures at once are more likely a network partition, an
 * API server or cloud outage, or a bad rollout than broken machines, and repairing them all would
 * make things worse (CAPI {@code maxUnhealthy}, NHC {@code maxUnhealthy}, cluster-autoscaler's
 * {@code --max-total-unready-percentage} do the same).
 *
 * @param value the count, or the percentage (0 to 100)
 * @param percent whether {@code value} is a percentage
 */
public record MaxUnhealthy(int value, boolean percent) {
  /** {@code 40%}. */
  public static final MaxUnhealthy DEFAULT = new MaxUnhealthy(40, true);

  private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*(%?)");

  public MaxUnhealthy {
    if (value < 0 || (percent && value > 100)) {
      throw new IllegalArgumentException("max-unhealthy out of range: " + value + (percent ? "%" : ""));
    }
  }

  /** {@code 3} or {@code 40%}; empty when the text is neither (or a percentage above 100). */
  public static Optional<MaxUnhealthy> parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    int value = Integer.parseInt(m.group(1));
    boolean percent = !m.group(2).isEmpty();
    return percent && value > 100 ? Optional.empty() : Optional.of(new MaxUnhealthy(value, percent));
  }

  /**
   * How many unhealthy nodes a role of {@code total} nodes may have and still be repaired. A
   * percentage is rounded down, but a non-zero percentage allows at least one node, so that a
   * role of one or two nodes can still be repaired ({@code 40%} of 2 nodes is 1, of 10 is 4). A
   * limit of {@code 0} or {@code 0%} starts no repair at all.
   */
  public int limit(int total) {
    if (!percent) {
      return value;
    }
    if (value == 0) {
      return 0;
    }
    return Math.max(1, (int) ((long) total * value / 100));
  }

  @Override
  public String toString() {
    return value + (percent ? "%" : "");
  }
}
