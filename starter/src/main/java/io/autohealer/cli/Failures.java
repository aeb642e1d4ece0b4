package io.autohealer.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/** Reading gRPC and client failures for people. */
final class Failures {
  private Failures() {}

  /** The gRPC status somewhere in the cause chain. */
  static Optional<Status> grpcStatus(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusRuntimeException s) {
        return Optional.of(s.getStatus());
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return Optional.empty();
  }

  static boolean hasCode(Throwable t, Status.Code code) {
    return grpcStatus(t).map(s -> s.getCode() == code).orElse(false);
  }

  /** The server could not be reached or did not answer in time. */
  static boolean unreachable(Throwable t) {
    return hasCode(t, Status.Code.UNAVAILABLE) || hasCode(t, Status.Code.DEADLINE_EXCEEDED);
  }

  /** The innermost message, or the class name when there is none. */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
