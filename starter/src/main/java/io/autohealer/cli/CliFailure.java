package io.autohealer.cli;

/** A failure to report as one {@code error: ...} line with exit code 1 (no such repair, server unreachable). */
public final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CliFailure(String message) {
    super(message);
  }

  public CliFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
