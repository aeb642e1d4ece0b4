package io.autohealer.detector;

/** Told of every evaluation, on the detector's thread; must return quickly (metrics, events, tests). */
@FunctionalInterface
public interface DetectorListener {
  DetectorListener NONE = (node, verdict, decision) -> {};

  void evaluated(String node, Verdict verdict, Decision decision);

  /** After each full pass, on the detector's thread. */
  default void passCompleted(PassSummary summary) {}
}
