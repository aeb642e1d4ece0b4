package io.autohealer.simulator.realkube;

/** The real-Kubernetes test bed is not built; the message says how to build it. */
public final class KubeTestbedMissingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public KubeTestbedMissingException(String message) {
    super(message);
  }
}
