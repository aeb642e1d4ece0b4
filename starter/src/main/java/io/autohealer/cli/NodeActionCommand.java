package io.autohealer.cli;

import io.autohealer.config.ClusterPause;
import io.autohealer.config.ClusterPauseStore;
import io.autohealer.workflows.OperatorRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code repairs pause|resume|approve|cancel <node>} and {@code repairs pause|resume --all}. */
abstract class NodeActionCommand extends RepairsSubcommand {
  @Option(names = "--by", paramLabel = "<who>", order = 20,
      description = "Who asks, recorded in the repair's history (default: the current user).")
  String by;

  abstract OperatorAction action();

  abstract String node();

  abstract String reason();

  boolean all() {
    return false;
  }

  @Override
  void validate() {
    if (node() == null && !all()) {
      throw usage("give a <node>" + (this instanceof ClusterWide ? " or --all" : ""));
    }
    if (node() != null && all()) {
      throw usage("give either a <node> or --all, not both");
    }
  }

  String who() {
    return by != null && !by.isBlank() ? by : backends().user();
  }

  @Override
  int run(Session session) {
    return all() ? ((ClusterWide) this).runAll(session) : runOne(session);
  }

  private int runOne(Session session) {
    Repairs repairs = session.repairs();
    RepairSummary repair = repairs.require(node());
    if (!repair.running()) {
      throw new CliFailure("the repair of node " + repair.node() + " (" + repair.workflowId() + ") already ended: "
          + repair.executionStatus()
          + (repair.outcome() != null && !"RUNNING".equals(repair.outcome()) ? ", outcome " + repair.outcome() : "")
          + " at " + Text.time(repair.closed()) + "; there is nothing to " + action().verb());
    }
    OperatorRequest request = new OperatorRequest(who(), reason());
    repairs.signal(repair, action(), request);
    String note = null;
    if (action() == OperatorAction.APPROVE) {
      Repairs.StatusAnswer answer = repairs.status(repair);
      if (answer.status() != null && !answer.status().awaitingApproval()) {
        note = "the repair was not waiting for approval (phase " + answer.status().phase()
            + "); the approval is recorded in its history";
      }
    }
    if (json()) {
      out().println(Json.write(new Signalled(action().verb(), repair.cluster(), repair.node(), repair.workflowId(),
          repair.runId(), request.by(), request.reason(), true, null, note)));
    } else {
      out().println("Sent " + action().verb() + " to the repair of node " + repair.node() + " (" + repair.workflowId()
          + ", run " + repair.runId() + ") as " + request.by()
          + (request.reason() == null ? "" : ": " + request.reason()));
      if (note != null) {
        out().println("Note: " + note + ".");
      }
    }
    return 0;
  }

  /** The JSON of one signal sent (or not, with {@code error}). */
  record Signalled(String action, String cluster, String node, String workflowId, String runId, String by,
      String reason, boolean sent, String error, String note) {}

  /** pause and resume, which also work on the whole cluster. */
  abstract static class ClusterWide extends NodeActionCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "<node>", description = "The Kubernetes Node name.")
    String node;

    @Option(names = "--all", order = 21,
        description = "The whole cluster: the cluster-wide pause (annotation " + ClusterPause.ANNOTATION
            + " on ConfigMap " + ClusterPause.CONFIG_MAP + ", honoured by the detector for new repairs), "
            + "and the signal to every running repair of the cluster.")
    boolean all;

    @Option(names = "--reason", paramLabel = "<text>", order = 22, description = "Why, recorded with the request.")
    String reason;

    @Option(names = "--control-namespace", paramLabel = "<namespace>", defaultValue = ClusterPause.DEFAULT_NAMESPACE,
        order = 23, description = "With --all: namespace of ConfigMap " + ClusterPause.CONFIG_MAP
            + " (default: ${DEFAULT-VALUE}).")
    String controlNamespace;

    @Override
    String node() {
      return node;
    }

    @Override
    String reason() {
      return reason;
    }

    @Override
    boolean all() {
      return all;
    }

    /** Sets (pause) or clears (resume) the cluster-wide pause; returns a sentence saying what changed. */
    abstract String changeClusterPause(ClusterPauseStore store, ClusterPause pause, String cluster);

    int runAll(Session session) {
      String cluster = session.settings().cluster();
      Instant now = backends().clock().instant();
      ClusterPause pause = new ClusterPause(who(), reason, now);
      ClusterPauseStore store;
      String changed;
      try {
        store = new ClusterPauseStore(session.kubernetes(), controlNamespace);
        changed = changeClusterPause(store, pause, cluster);
      } catch (CliFailure e) {
        throw e;
      } catch (RuntimeException e) {
        throw new CliFailure("cannot " + action().verb() + " the healer for cluster " + cluster
            + " on ConfigMap " + controlNamespace + "/" + ClusterPause.CONFIG_MAP + ": " + Failures.rootMessage(e)
            + "; no repair was signalled", e);
      }

      RepairSource.Found found;
      try {
        found = RepairSource.auto.find(session,
            new RepairFinder.Request(cluster, true, Integer.MAX_VALUE, Set.of()));
      } catch (RuntimeException e) {
        throw new CliFailure(changed + ", but the running repairs could not be found to " + action().verb()
            + " them: " + e.getMessage(), e);
      }
      OperatorRequest request = new OperatorRequest(who(), reason);
      List<Signalled> results = new ArrayList<>();
      for (RepairSummary repair : found.repairs()) {
        String error = null;
        try {
          session.repairs().signal(repair, action(), request);
        } catch (RuntimeException e) {
          error = e.getMessage();
        }
        results.add(new Signalled(action().verb(), cluster, repair.node(), repair.workflowId(), repair.runId(),
            request.by(), request.reason(), error == null, error, null));
      }
      boolean allSent = results.stream().allMatch(Signalled::sent);

      if (json()) {
        out().println(Json.write(new ClusterWideView(action().verb(), cluster, store.location(),
            ClusterPause.ANNOTATION, changed, action() == OperatorAction.PAUSE ? pause : null,
            found.source().name(), found.how(), results)));
      } else {
        out().println(changed + ".");
        if (results.isEmpty()) {
          out().println("No running repairs of cluster " + cluster + " to " + action().verb() + ".");
        } else {
          out().println("Sent " + action().verb() + " to " + results.stream().filter(Signalled::sent).count()
              + " of " + results.size() + " running repairs:");
          List<List<String>> rows = new ArrayList<>();
          for (Signalled s : results) {
            rows.add(List.of(s.node(), s.workflowId(), s.sent() ? "sent" : "FAILED: " + s.error()));
          }
          out().print(Text.table(List.of("NODE", "WORKFLOW", "SIGNAL"), rows));
        }
        out().println("Running repairs found with " + found.how() + ".");
      }
      if (!allSent) {
        err().println("error: " + results.stream().filter(s -> !s.sent()).count() + " running repair(s) did not get the "
            + action().verb() + " signal");
        return 1;
      }
      return 0;
    }
  }

  /** The JSON of {@code pause --all} and {@code resume --all}. */
  record ClusterWideView(String action, String cluster, String configMap, String annotation, String change,
      ClusterPause clusterPause, String source, String foundWith, List<Signalled> repairs) {}

  @Command(name = "pause",
      description = {
        "Pause the repair of a node before its next step (a running step finishes), or with --all the healer "
            + "for the whole cluster: the detector starts no new repair and every running repair is paused.",
        "",
        RepairsCommand.FINDING
      })
  static final class Pause extends ClusterWide {
    @Override
    OperatorAction action() {
      return OperatorAction.PAUSE;
    }

    @Override
    String changeClusterPause(ClusterPauseStore store, ClusterPause pause, String cluster) {
      Optional<ClusterPause> before = store.read();
      store.set(pause);
      return "Cluster " + cluster + ": healer " + pause.describe() + " (annotation " + ClusterPause.ANNOTATION
          + " on ConfigMap " + store.location() + ")"
          + before.map(b -> "; it was already " + b.describe()).orElse("")
          + "; the detector starts no new repair";
    }
  }

  @Command(name = "resume",
      description = {
        "Resume a paused repair of a node, or with --all the healer for the whole cluster: the cluster-wide pause "
            + "is removed and every running repair gets resume.",
        "",
        RepairsCommand.FINDING
      })
  static final class Resume extends ClusterWide {
    @Override
    OperatorAction action() {
      return OperatorAction.RESUME;
    }

    @Override
    String changeClusterPause(ClusterPauseStore store, ClusterPause pause, String cluster) {
      Optional<ClusterPause> was = store.clear();
      return was.map(p -> "Cluster " + cluster + ": healer resumed (it was " + p.describe() + "; annotation "
              + ClusterPause.ANNOTATION + " removed from ConfigMap " + store.location() + ")")
          .orElse("Cluster " + cluster + ": healer was not paused (no annotation " + ClusterPause.ANNOTATION
              + " on ConfigMap " + store.location() + ")");
    }
  }

  @Command(name = "approve",
      description = "Approve the repair of a node that waits for approval before its first destructive step "
          + "(repair.require-approval).")
  static final class Approve extends NodeActionCommand {
    @Parameters(index = "0", paramLabel = "<node>", description = "The Kubernetes Node name.")
    String node;

    @Option(names = "--reason", paramLabel = "<text>", order = 22, description = "Why, recorded with the approval.")
    String reason;

    @Override
    OperatorAction action() {
      return OperatorAction.APPROVE;
    }

    @Override
    String node() {
      return node;
    }

    @Override
    String reason() {
      return reason;
    }
  }

  @Command(name = "cancel",
      description = "Cancel the repair of a node before its next step; a node that is healthy is uncordoned. "
          + "A step that already changed a server (a resize or stack update sent) is not undone.")
  static final class Cancel extends NodeActionCommand {
    @Parameters(index = "0", paramLabel = "<node>", description = "The Kubernetes Node name.")
    String node;

    @Option(names = "--reason", paramLabel = "<text>", required = true, order = 22,
        description = "Why (required), recorded with the cancellation.")
    String reason;

    @Override
    OperatorAction action() {
      return OperatorAction.CANCEL;
    }

    @Override
    void validate() {
      if (reason.isBlank()) {
        throw usage("--reason must not be empty: say why the repair is cancelled");
      }
    }

    @Override
    String node() {
      return node;
    }

    @Override
    String reason() {
      return reason;
    }
  }
}
