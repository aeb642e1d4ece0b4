package io.autohealer.worker;

/**
 * The worker could not start polling: the Temporal server did not answer, refused the namespace,
 * or refused the credentials. Reported as one line; the process exits 1 and its supervisor
 * restarts it.
 */
public final class TemporalUnreachableException extends RuntimeException {
  public TemporalUnreachableException(String address, String namespace, Throwable cause) {
    super("cannot start polling Temporal at " + address + " (namespace " + namespace + "): " + rootMessage(cause),
        cause);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
