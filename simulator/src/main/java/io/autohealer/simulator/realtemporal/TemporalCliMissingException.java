package io.autohealer.simulator.realtemporal;

/** The Temporal CLI binary is not there; the message says how to install it. */
public final class TemporalCliMissingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public TemporalCliMissingException(String message) {
    super(message);
  }
}
