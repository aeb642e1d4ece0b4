package io.autohealer.simulator.invariants;

import java.util.List;
import java.util.stream.Collectors;

/** A run broke at least one invariant; the message holds each breach with its trail. */
public final class InvariantsBreachedException extends RuntimeException {
  private final transient List<Breach> breaches;

  public InvariantsBreachedException(List<Breach> breaches) {
    super(breaches.size() + " invariant breach(es):\n"
        + breaches.stream().map(Breach::describe).collect(Collectors.joining("\n")));
    this.breaches = List.copyOf(breaches);
  }

  public List<Breach> breaches() {
    return breaches;
  }
}
