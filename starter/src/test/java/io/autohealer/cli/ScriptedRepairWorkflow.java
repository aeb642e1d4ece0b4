package io.autohealer.cli;

import io.autohealer.workflows.OperatorRequest;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPhase;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairSearchAttributes;
import io.autohealer.workflows.RepairStatus;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A stand-in repair for the CLI tests that records the operator signals it gets and answers the
 * status query. The request's {@code reason} scripts it: {@code end:<OUTCOME>} ends at once with
 * that outcome, {@code fail} fails the workflow, {@code approval} waits for approve, anything else
 * runs (phase REBOOTING) until cancelled.
 */
public class ScriptedRepairWorkflow implements RepairNodeWorkflow {
  static final BlockingQueue<Signal> SIGNALS = new LinkedBlockingQueue<>();
  /** Every workflow id run, for clean-up. */
  static final Set<String> WORKFLOW_IDS = ConcurrentHashMap.newKeySet();

  /** One signal as the workflow got it. */
  record Signal(String workflowId, String name, OperatorRequest request) {}

  private final List<RepairStatus.Step> steps = new ArrayList<>();
  private RepairRequest request;
  private RepairPhase phase = RepairPhase.VERIFYING;
  private RepairOutcome outcome;
  private boolean paused;
  private boolean awaitingApproval;
  private boolean cancelled;
  private String lastError;

  @Override
  public RepairResult repair(RepairRequest request) {
    this.request = request;
    if (!Workflow.isReplaying()) {
      WORKFLOW_IDS.add(Workflow.getInfo().getWorkflowId());
    }
    steps.add(new RepairStatus.Step(RepairPhase.VERIFYING, now(), now(), "still NotReady", 1));
    String script = request.reason();
    if (script.startsWith("end:")) {
      return end(RepairOutcome.valueOf(script.substring(4)), "scripted end");
    }
    if (script.equals("fail")) {
      lastError = "boom";
      throw ApplicationFailure.newNonRetryableFailure("scripted failure", "ScriptedFailure");
    }
    if (script.equals("approval")) {
      enter(RepairPhase.AWAITING_APPROVAL);
      awaitingApproval = true;
      Workflow.await(() -> !awaitingApproval || cancelled);
    }
    enter(RepairPhase.REBOOTING);
    Workflow.await(() -> cancelled);
    return end(RepairOutcome.CANCELLED, "cancelled by an operator");
  }

  private void enter(RepairPhase next) {
    if (!steps.isEmpty() && steps.get(steps.size() - 1).ended() == null) {
      RepairStatus.Step last = steps.remove(steps.size() - 1);
      steps.add(new RepairStatus.Step(last.phase(), last.started(), now(), "done", last.attempts()));
    }
    phase = next;
    steps.add(new RepairStatus.Step(next, now(), null, null, 1));
    Workflow.upsertTypedSearchAttributes(RepairSearchAttributes.PHASE.valueSet(next.name()));
  }

  private RepairResult end(RepairOutcome result, String message) {
    enter(RepairPhase.DONE);
    RepairStatus.Step done = steps.remove(steps.size() - 1);
    steps.add(new RepairStatus.Step(done.phase(), done.started(), now(), result.name(), 1));
    outcome = result;
    Workflow.upsertTypedSearchAttributes(
        RepairSearchAttributes.PHASE.valueSet(RepairPhase.DONE.name()),
        RepairSearchAttributes.OUTCOME.valueSet(result.name()));
    return new RepairResult(result, message + " (" + request.node() + ")", List.of(), Duration.ofMinutes(3));
  }

  private void record(String name, OperatorRequest request) {
    if (!Workflow.isReplaying()) {
      SIGNALS.add(new Signal(Workflow.getInfo().getWorkflowId(), name, request));
    }
  }

  @Override
  public void pause(OperatorRequest request) {
    record("pause", request);
    paused = true;
  }

  @Override
  public void resume(OperatorRequest request) {
    record("resume", request);
    paused = false;
  }

  @Override
  public void approve(OperatorRequest request) {
    record("approve", request);
    awaitingApproval = false;
  }

  @Override
  public void cancel(OperatorRequest request) {
    record("cancel", request);
    cancelled = true;
  }

  @Override
  public RepairStatus status() {
    return new RepairStatus(request == null ? null : request.node(), request == null ? null : request.role(),
        phase, outcome, paused, awaitingApproval, List.copyOf(steps), lastError);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
