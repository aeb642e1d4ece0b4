package io.autohealer.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autohealer repairs list}. */
@Command(
    name = "list",
    description = {
      "List the repairs of a cluster, newest first: node, role, phase, status, outcome, started and last step "
          + "(the last two from each repair's status query, which a worker answers).",
      "",
      RepairsCommand.FINDING
    })
final class ListCommand extends RepairsSubcommand {
  @Option(names = "--running", order = 10, description = "Only running repairs.")
  boolean running;

  @Option(names = "--limit", paramLabel = "<n>", defaultValue = "50", order = 11,
      description = "At most this many repairs (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--node", paramLabel = "<node>", order = 12,
      description = "Also look up the repair of this node (repeatable). Needed only without visibility queries, "
          + "for nodes whose Node object is gone (e.g. a replaced worker).")
  List<String> nodes = new ArrayList<>();

  @Option(names = "--source", paramLabel = "auto|visibility|nodes", defaultValue = "auto", order = 13,
      description = "How to find repairs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: visibility when "
          + "the server has it, else nodes).")
  RepairSource source;

  @Override
  void validate() {
    if (limit < 1) {
      throw usage("--limit must be at least 1");
    }
  }

  @Override
  int run(Session session) {
    String cluster = session.settings().cluster();
    RepairFinder.Request request =
        new RepairFinder.Request(cluster, running, limit, new LinkedHashSet<>(nodes));
    RepairSource.Found found = source.find(session, request);
    Map<String, Repairs.StatusAnswer> answers = found.repairs().isEmpty()
        ? Map.of()
        : session.repairs().statuses(found.repairs());
    List<RepairView> views = new ArrayList<>();
    for (RepairSummary repair : found.repairs()) {
      views.add(RepairView.of(repair, null, answers.get(repair.runId()), null));
    }

    if (json()) {
      out().println(Json.write(new ListView(cluster, found.source().name(), found.how(), views)));
      return 0;
    }
    if (views.isEmpty()) {
      out().println("No " + (running ? "running " : "") + "repairs of cluster " + cluster + ".");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (RepairView v : views) {
        String lastStep = v.status() != null ? Text.lastStep(v.status(), "Running".equals(v.executionStatus())) : "?";
        rows.add(List.of(v.node(), Text.orNone(v.role()), Text.orNone(v.phase()), v.statusText(),
            v.outcomeText(), Text.time(v.started()), Text.cut(lastStep, 60)));
      }
      out().print(Text.table(
          List.of("NODE", "ROLE", "PHASE", "STATUS", "OUTCOME", "STARTED", "LAST STEP"), rows));
    }
    out().println();
    out().println("Found with " + found.how() + ".");
    long unanswered = views.stream().filter(v -> v.statusError() != null).count();
    if (unanswered > 0) {
      String why = views.stream().filter(v -> v.statusError() != null).findFirst().orElseThrow().statusError();
      out().println(unanswered + " repair(s) did not answer the status query (last step ?): " + why);
    }
    return 0;
  }

  /** The JSON of {@code list}: {@code source} is {@code visibility} or {@code nodes}. */
  record ListView(String cluster, String source, String foundWith, List<RepairView> repairs) {}
}
