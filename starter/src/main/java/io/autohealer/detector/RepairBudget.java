package io.autohealer.detector;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The node annotation {@value #ANNOTATION}: when the detector started the node's recent repairs,
 * as a comma-separated list of UTC times ({@code 2026-11-25T03:00:00Z,2026-11-25T09:12:41Z}),
 * oldest first. It is written when a repair starts and holds only the starts within {@code
 * repair-budget-window}; it is on the Node so that it survives restarts and leader changes and a
 * person can read it with {@code kubectl describe node}, or remove it to give the node a fresh
 * budget. A replacement node is a new Node object, so it starts with a fresh budget.
 */
final class RepairBudget {
  static final String ANNOTATION = "autohealer.openstack.org/repairs";

  private RepairBudget() {}

  /** The times in the annotation value; entries that are not times are skipped. */
  static List<Instant> parse(String value) {
    List<Instant> starts = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return starts;
    }
    for (String item : value.split(",")) {
      try {
        starts.add(Instant.parse(item.trim()));
      } catch (DateTimeParseException e) {
        // Edited by hand: ignore what is not a time rather than fail the node.
      }
    }
    starts.sort(null);
    return starts;
  }

  /** The starts after {@code now - window}, oldest first. */
  static List<Instant> within(List<Instant> starts, Instant now, Duration window) {
    Instant from = now.minus(window);
    return starts.stream().filter(t -> t.isAfter(from) && !t.isAfter(now)).sorted().toList();
  }

  /** The annotation value after a start at {@code now}: the starts still in the window, then now. */
  static String record(List<Instant> starts, Instant now, Duration window) {
    List<Instant> kept = new ArrayList<>(within(starts, now, window));
    kept.add(now.truncatedTo(ChronoUnit.SECONDS));
    return kept.stream().map(Instant::toString).collect(Collectors.joining(","));
  }
}
