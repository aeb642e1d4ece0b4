package io.autohealer.cli;

import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.temporal.client.WorkflowExecutionDescription;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code autohealer repairs show <node>}. */
@Command(
    name = "show",
    description = "Show the latest repair of a node: its status query (phase, paused, awaiting approval, each step "
        + "with start, end, attempts and result, last error), Temporal's execution status and, once closed, its result.")
final class ShowCommand extends RepairsSubcommand {
  @Parameters(index = "0", paramLabel = "<node>", description = "The Kubernetes Node name.")
  String node;

  @Override
  int run(Session session) {
    Repairs repairs = session.repairs();
    WorkflowExecutionDescription description = repairs.describe(node).orElseThrow(() -> repairs.notFound(node));
    RepairSummary repair = RepairSummary.of(repairs.cluster(), description);
    Repairs.StatusAnswer answer = repairs.status(repair);
    Repairs.Outcome outcome = repairs.result(repair).orElse(null);
    RepairView view = RepairView.of(repair, description.getStaticSummary(), answer, outcome);
    if (json()) {
      out().println(Json.write(view));
    } else {
      print(view);
    }
    return 0;
  }

  private void print(RepairView v) {
    RepairStatus s = v.status();
    List<List<String>> fields = new ArrayList<>();
    fields.add(List.of("Workflow:", v.workflowId() + " (run " + v.runId() + ")"));
    if (v.summary() != null && !v.summary().isBlank()) {
      fields.add(List.of("Summary:", v.summary()));
    }
    fields.add(List.of("Status:", v.statusText()));
    fields.add(List.of("Role:", Text.orNone(v.role())));
    fields.add(List.of("Failed check:", Text.orNone(v.failedCheck())));
    fields.add(List.of("Phase:", Text.orNone(v.phase())));
    if (s != null) {
      fields.add(List.of("Paused:", s.paused() ? "yes" : "no"));
      fields.add(List.of("Awaiting approval:", s.awaitingApproval() ? "yes" : "no"));
    } else {
      fields.add(List.of("Status query:", "not answered: " + v.statusError()));
    }
    fields.add(List.of("Started:", Text.time(v.started())));
    fields.add(List.of("Closed:", Text.time(v.closed())));
    fields.add(List.of("Outcome:", v.outcomeText()));
    if (s != null) {
      fields.add(List.of("Last error:", Text.orNone(s.lastError())));
    }
    RepairResult result = v.result();
    if (result != null) {
      fields.add(List.of("Result:", Text.orNone(result.message())));
      fields.add(List.of("Took:", Text.duration(result.duration())));
      if (result.replacementNodes() != null && !result.replacementNodes().isEmpty()) {
        fields.add(List.of("Ready nodes:", String.join(", ", result.replacementNodes())));
      }
    }
    if (v.failure() != null) {
      fields.add(List.of("Ended:", v.failure()));
    }

    out().println("Repair of node " + v.node() + " in cluster " + v.cluster());
    for (String line : Text.table(List.of("", ""), fields).split("\n")) {
      if (!line.isBlank()) {
        out().println("  " + line);
      }
    }
    if (s != null) {
      out().println();
      if (s.steps() == null || s.steps().isEmpty()) {
        out().println("No steps yet.");
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (RepairStatus.Step step : s.steps()) {
          rows.add(List.of(String.valueOf(step.phase()), Text.time(step.started()), Text.time(step.ended()),
              String.valueOf(step.attempts()), step.ended() == null ? ("Running".equals(v.executionStatus()) ? "(running)" : "-")
                  : Text.orNone(step.result())));
        }
        out().print(Text.table(List.of("STEP", "STARTED", "ENDED", "ATTEMPTS", "RESULT"), rows));
      }
    }
  }
}
