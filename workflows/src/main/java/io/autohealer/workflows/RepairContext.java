package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.function.Supplier;

/**
 * What every step of one repair shares: the request, the journal, the activity stubs and the
 * operator's pause. Steps run through {@link #step}, which keeps the journal current and waits
 * while the repair is paused.
 */
final class RepairContext {
  final RepairRequest request;
  final RepairPolicy policy;
  final RepairJournal journal;
  final RepairActivities activities;
  private boolean paused;
  private String pausedBy;

  RepairContext(RepairRequest request, RepairJournal journal) {
    this.request = request;
    this.policy = request.policy();
    this.journal = journal;
    this.activities = new RepairActivities(policy);
  }

  String node() {
    return request.node();
  }

  String serverId() {
    return request.serverId();
  }

  KubernetesActivities kubernetes(String summary, ActivityOptions options) {
    return activities.kubernetes(summary, options);
  }

  CloudActivities cloud(String summary, ActivityOptions options) {
    return activities.cloud(summary, options);
  }

  void pause(OperatorRequest by) {
    paused = true;
    pausedBy = describe(by);
  }

  void resume() {
    paused = false;
  }

  boolean paused() {
    return paused;
  }

  /** Runs one step: waits while paused, shows it, and records how it ended. */
  <T> T step(RepairPhase phase, String now, Supplier<T> action) {
    awaitResumed(phase);
    journal.begin(phase, now);
    try {
      T result = action.get();
      journal.end("done");
      return result;
    } catch (ActivityFailure failure) {
      journal.failed(RepairActivities.describe(failure));
      throw failure;
    }
  }

  /** Holds the repair here while an operator has it paused. */
  void awaitResumed(RepairPhase next) {
    if (paused) {
      journal.show(RepairPhase.PAUSED, "Paused by %s; %s comes next".formatted(pausedBy, next));
      Workflow.await(() -> !paused);
    }
  }

  /** An event on the node, best effort. */
  void event(String type, String reason, String message) {
    kubernetes("Event " + reason, activities.bestEffort())
        .recordEvent(new KubernetesActivities.RecordEvent(node(), type, reason, message));
  }

  static String describe(OperatorRequest by) {
    String who = by == null || by.by() == null || by.by().isBlank() ? "an operator" : by.by();
    return by != null && by.reason() != null && !by.reason().isBlank() ? who + " (" + by.reason() + ")" : who;
  }
}
