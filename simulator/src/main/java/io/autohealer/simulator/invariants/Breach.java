package io.autohealer.simulator.invariants;

import java.time.Instant;
import java.util.List;

/**
 * One breach of an invariant.
 *
 * @param invariant the rule broken
 * @param node the node it concerns, or null
 * @param message what happened
 * @param at when
 * @param trail the time-ordered events that led to it (those of the node, and the cluster's)
 */
public record Breach(Invariant invariant, String node, String message, Instant at, List<String> trail) {

  /** The breach and its trail, for a test failure or the sandbox's output. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    text.append("INVARIANT BREACHED: ").append(invariant).append(": ").append(message).append('\n');
    text.append("  rule: ").append(invariant.rule()).append('\n');
    text.append("  events that led to it:\n");
    trail.forEach(line -> text.append("    ").append(line).append('\n'));
    return text.toString();
  }
}
