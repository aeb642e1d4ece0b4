package io.autohealer.workflows;

import io.autohealer.workflows.activities.CloudActivities.CheckGate;
import io.autohealer.workflows.activities.CloudActivities.GateResult;
import io.autohealer.workflows.activities.CloudActivities.RebootResult;
import io.autohealer.workflows.activities.CloudActivities.RebootServer;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AnnotateNode;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.DrainResult;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.NodeHealth;
import io.autohealer.workflows.activities.KubernetesActivities.Uncordon;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The escalation ladder of one node: verify it is still unhealthy → wait for the gate (and an
 * approval when asked) → cordon → drain → soft reboot and wait for Ready → rebuild (a worker is
 * replaced through a Magnum resize, a master rebuilt through a Heat stack update, one that keeps
 * etcd's quorum) → await rejoin. Nothing destructive happens while the gate is closed, and a repair
 * that gives up leaves the node cordoned and annotated, deletes nothing, and says why.
 */
public class RepairNodeWorkflowImpl implements RepairNodeWorkflow {
  private static final Logger log = Workflow.getLogger(RepairNodeWorkflowImpl.class);

  private final RepairJournal journal = new RepairJournal();
  private final RepairContext context;
  private final RepairRequest request;
  private CancellationScope scope;
  private String cancelledBy;
  private boolean approved;
  private boolean awaitingApproval;
  private boolean cordoned;

  /** Runs before any signal handler, so that a pause or cancel sent with the start is kept. */
  @WorkflowInit
  public RepairNodeWorkflowImpl(RepairRequest request) {
    this.request = request;
    this.context = new RepairContext(request, journal);
  }

  @Override
  public RepairResult repair(RepairRequest ignored) {
    RepairEnded[] ended = new RepairEnded[1];
    scope = Workflow.newCancellationScope(() -> ended[0] = runLadder());
    if (cancelledBy != null) {
      scope.cancel("cancelled by " + cancelledBy);
    }
    try {
      scope.run();
      return end(ended[0]);
    } catch (RepairEnded e) {
      return end(e.outcome == RepairOutcome.FAILED ? giveUp(e.getMessage()) : e);
    } catch (CanceledFailure | ActivityFailure failure) {
      if (RepairActivities.isCancellation(failure)) {
        return end(compensateCancel());
      }
      return end(giveUp(RepairActivities.describe((ActivityFailure) failure)));
    }
  }

  private RepairEnded runLadder() {
    context.event("Normal", "RepairStarted",
        "Repair of %s started: %s".formatted(request.node(), request.reason()));
    NodeHealth health = verify();
    awaitGate(health);
    if (request.policy().requireApproval()) {
      awaitApproval();
      verify();
    }
    if (request.role() == NodeRole.MASTER) {
      new MasterRebuild(context).awaitQuorum();
    }
    if (request.role() == NodeRole.WORKER || request.policy().cordonMasters()) {
      cordon();
    }
    if (request.role() == NodeRole.WORKER && request.policy().drain()) {
      drain();
    }
    if (request.policy().reboot() && !recentlyRebooted(health)) {
      rebootAndWait();
    }
    return request.role() == NodeRole.WORKER
        ? new WorkerReplacement(context).replace()
        : new MasterRebuild(context).rebuild(cordoned);
  }

  /** Is the node still unhealthy? A node that recovered before anything was changed is left alone. */
  private NodeHealth verify() {
    return stillUnhealthy(context.step(RepairPhase.VERIFYING,
        "Is node %s still unhealthy?".formatted(request.node()), this::inspect));
  }

  private NodeHealth inspect() {
    return context.kubernetes("Verify " + request.node() + " is still unhealthy", context.activities.quick())
        .inspectNode(new InspectNode(request.node()));
  }

  private NodeHealth stillUnhealthy(NodeHealth health) {
    if (!health.exists()) {
      throw new RepairEnded(RepairOutcome.FAILED,
          "node %s no longer exists".formatted(request.node()));
    }
    if (health.ready() && recoveryIsVisible()) {
      if (cordoned) {
        uncordon();
      }
      throw new RepairEnded(RepairOutcome.RECOVERED,
          "Node %s was Ready again before anything destructive was done.".formatted(request.node()));
    }
    return health;
  }

  /**
   * Ready proves recovery only for the NodeCondition check; a node failing another check (an
   * Endpoint probe) can be Ready and still broken, and is left to the detector's judgement.
   */
  private boolean recoveryIsVisible() {
    return request.failedCheck() == null || request.failedCheck().startsWith("NodeCondition");
  }

  /** Waits on a durable timer while the cluster may not be repaired, looking at the node again each time. */
  private void awaitGate(NodeHealth health) {
    while (true) {
      String closed = health.optedOut() ? "node %s is opted out (%s=true)".formatted(request.node(),
          KubernetesActivities.OPT_OUT) : null;
      if (closed == null) {
        GateResult gate = context.step(RepairPhase.GATED, "Checking whether cluster %s may be repaired"
                .formatted(request.cluster()),
            () -> context.cloud("Check gate of cluster " + request.cluster(), context.activities.quick())
                .checkGate(new CheckGate(request.cluster())));
        if (gate.open()) {
          return;
        }
        closed = gate.reason();
      }
      journal.show(RepairPhase.GATED, "Gate closed: %s; looking again in %s".formatted(closed,
          Durations.text(request.policy().gateRecheckInterval())));
      Workflow.newTimer(request.policy().gateRecheckInterval(),
          TimerOptions.newBuilder().setSummary("Gate closed: " + closed).build()).get();
      health = stillUnhealthy(inspect());
    }
  }

  private void awaitApproval() {
    awaitingApproval = true;
    journal.begin(RepairPhase.AWAITING_APPROVAL, "Waiting for an operator to approve (repairs approve %s)"
        .formatted(request.node()));
    Workflow.await(() -> approved);
    awaitingApproval = false;
    journal.end("approved");
  }

  private void cordon() {
    context.step(RepairPhase.CORDONING, "Cordoning " + request.node(),
        () -> context.kubernetes("Cordon " + request.node(), context.activities.quick())
            .cordon(new Cordon(request.node())));
    cordoned = true;
  }

  private void uncordon() {
    context.step(RepairPhase.UNCORDONING, "Uncordoning " + request.node(),
        () -> context.kubernetes("Uncordon " + request.node(), context.activities.quick())
            .uncordon(new Uncordon(request.node())));
    cordoned = false;
  }

  private void drain() {
    Duration timeout = request.policy().drainTimeout();
    DrainResult drained = context.step(RepairPhase.DRAINING,
        "Evicting the pods of %s (up to %s)".formatted(request.node(), Durations.text(timeout)),
        () -> context.kubernetes("Drain " + request.node(), context.activities.boundedWait(timeout))
            .drainNode(new Drain(request.node(), timeout, request.policy().pollInterval())));
    if (!drained.remaining().isEmpty()) {
      log.warn("Drain of {} left {} pods: {}", request.node(), drained.remaining().size(), drained.remaining());
    }
  }

  private boolean recentlyRebooted(NodeHealth health) {
    Instant rebootedAt = health.rebootedAt();
    Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    return rebootedAt != null && rebootedAt.plus(request.policy().rebootCooldown()).isAfter(now);
  }

  /** The Go service's first step. Ends the repair REBOOTED when the node comes back Ready in time. */
  private void rebootAndWait() {
    RebootResult reboot = context.step(RepairPhase.REBOOTING, "Soft-rebooting server " + request.serverId(),
        () -> context.cloud("Soft reboot " + request.serverId(), context.activities.quick())
            .rebootServer(new RebootServer(request.serverId())));
    if (!reboot.rebooted()) {
      log.info("Server {} is {} and cannot be soft-rebooted; rebuilding", request.serverId(), reboot.status());
      return;
    }
    Map<String, String> annotation = new HashMap<>();
    annotation.put(KubernetesActivities.REBOOTED_AT, Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString());
    context.kubernetes("Record the reboot of " + request.node(), context.activities.quick())
        .annotateNode(new AnnotateNode(request.node(), annotation));
    Duration wait = request.policy().rebuildDelayAfterReboot();
    boolean ready = context.step(RepairPhase.AWAITING_READY_AFTER_REBOOT,
        "Waiting up to %s for %s to be Ready after the reboot".formatted(Durations.text(wait), request.node()),
        () -> context.kubernetes("Await " + request.node() + " Ready after reboot", context.activities.boundedWait(wait))
            .awaitNodeReady(new AwaitNodeReady(request.node(), null, wait, request.policy().pollInterval())))
        .ready();
    if (ready) {
      if (cordoned) {
        uncordon();
      }
      throw new RepairEnded(RepairOutcome.REBOOTED,
          "A soft reboot of server %s made %s Ready again.".formatted(request.serverId(), request.node()));
    }
  }

  /** Cancelled by an operator: a node that is healthy again is uncordoned; nothing else is undone. */
  private RepairEnded compensateCancel() {
    String by = cancelledBy != null ? cancelledBy : "a cancellation of the workflow";
    RepairPhase cancelledIn = journal.phase();
    boolean[] uncordoned = new boolean[1];
    Workflow.newDetachedCancellationScope(() -> {
      NodeHealth health = context.kubernetes("Inspect " + request.node() + " after cancel", context.activities.quick())
          .inspectNode(new InspectNode(request.node()));
      if (cordoned && health.exists() && health.ready()) {
        uncordon();
        uncordoned[0] = true;
      }
      context.event("Normal", "RepairCancelled", "Repair of %s cancelled by %s".formatted(request.node(), by));
    }).run();
    String node = uncordoned[0] ? "the node is healthy and was uncordoned"
        : cordoned ? "the node is not healthy and stays cordoned" : "the node was not cordoned";
    return new RepairEnded(RepairOutcome.CANCELLED, "Cancelled by %s in %s; %s.".formatted(by, cancelledIn, node));
  }

  /** Leaves the node cordoned and annotated for a person, and says why in an Event. */
  private RepairEnded giveUp(String reason) {
    String message = "Gave up in %s: %s. Node %s is left %s for a person; its Node object was not deleted."
        .formatted(journal.phase(), reason, request.node(), cordoned ? "cordoned" : "as it was");
    journal.failed(reason);
    try {
      context.step(RepairPhase.RECORDING_FAILURE, "Annotating " + request.node() + " for a person", () -> {
        Map<String, String> annotation = new HashMap<>();
        annotation.put(KubernetesActivities.REPAIR_FAILED, message);
        return context.kubernetes("Annotate " + request.node() + " with the failure", context.activities.quick())
            .annotateNode(new AnnotateNode(request.node(), annotation));
      });
    } catch (ActivityFailure annotationFailed) {
      log.warn("Could not annotate {}: {}", request.node(), RepairActivities.describe(annotationFailed));
    }
    context.event("Warning", "RepairFailed", message);
    return new RepairEnded(RepairOutcome.FAILED, message);
  }

  private RepairResult end(RepairEnded ended) {
    if (ended.outcome == RepairOutcome.FAILED && journal.lastError() == null) {
      journal.failed(ended.getMessage());
    }
    if (ended.outcome != RepairOutcome.FAILED && ended.outcome != RepairOutcome.CANCELLED) {
      context.event("Normal", "Repair" + capitalized(ended.outcome), ended.getMessage());
    }
    journal.finish(ended.outcome, ended.getMessage());
    log.info("Repair of {} ended {}: {}", request.node(), ended.outcome, ended.getMessage());
    Duration took = Duration.ofMillis(
        Workflow.currentTimeMillis() - Workflow.getInfo().getRunStartedTimestampMillis());
    return new RepairResult(ended.outcome, ended.getMessage(), ended.nodes, took);
  }

  private static String capitalized(RepairOutcome outcome) {
    String name = outcome.name().toLowerCase();
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  @Override
  public void pause(OperatorRequest by) {
    context.pause(by);
  }

  @Override
  public void resume(OperatorRequest by) {
    context.resume();
  }

  @Override
  public void approve(OperatorRequest by) {
    approved = true;
  }

  @Override
  public void cancel(OperatorRequest by) {
    cancelledBy = RepairContext.describe(by);
    if (scope != null) {
      scope.cancel("cancelled by " + cancelledBy);
    }
  }

  @Override
  public RepairStatus status() {
    return new RepairStatus(
        request.node(),
        request.role(),
        journal.phase(),
        journal.outcome(),
        context.paused(),
        awaitingApproval,
        journal.steps(),
        journal.lastError());
  }
}
