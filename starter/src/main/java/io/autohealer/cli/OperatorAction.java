package io.autohealer.cli;

import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairNodeWorkflow;
import java.util.function.BiConsumer;

/** The operator signals of {@link RepairNodeWorkflow}. */
public enum OperatorAction {
  PAUSE("pause", "paused", RepairNodeWorkflow::pause),
  RESUME("resume", "resumed", RepairNodeWorkflow::resume),
  APPROVE("approve", "approved", RepairNodeWorkflow::approve),
  CANCEL("cancel", "cancelled", RepairNodeWorkflow::cancel);

  private final String verb;
  private final String done;
  private final BiConsumer<RepairNodeWorkflow, OperatorRequest> signal;

  OperatorAction(String verb, String done, BiConsumer<RepairNodeWorkflow, OperatorRequest> signal) {
    this.verb = verb;
    this.done = done;
    this.signal = signal;
  }

  /** The signal's name, e.g. {@code pause}. */
  public String verb() {
    return verb;
  }

  /** E.g. {@code paused}. */
  public String done() {
    return done;
  }

  void send(RepairNodeWorkflow stub, OperatorRequest request) {
    signal.accept(stub, request);
  }
}
