package io.autohealer.simulator.sandbox;

import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairResult;
import io.autohealer.workflows.RepairStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Follows the repairs of chosen nodes through the {@code status} query and prints each new step
 * as it starts: progress, not a log flood.
 */
final class RepairWatcher {
  private static final Duration POLL = Duration.ofMillis(250);

  private final WorkflowClient client;
  private final String cluster;
  private final PrintStream out;
  private final Runnable healthCheck;
  private final Function<String, Optional<String>> webUiLink;
  private final Set<String> announced = new HashSet<>();
  private final Instant start = Instant.now();

  /** @param healthCheck run at every poll; throws to stop watching, e.g. when a process died */
  RepairWatcher(WorkflowClient client, String cluster, PrintStream out, Runnable healthCheck) {
    this(client, cluster, out, healthCheck, id -> Optional.empty());
  }

  /** @param webUiLink the Web UI page of a workflow id, printed once as each repair starts */
  RepairWatcher(WorkflowClient client, String cluster, PrintStream out, Runnable healthCheck,
      Function<String, Optional<String>> webUiLink) {
    this.webUiLink = webUiLink;
    this.client = client;
    this.cluster = cluster;
    this.out = out;
    this.healthCheck = healthCheck;
  }

  /** Waits for the repair of each node to start and end; the results by node, in order. */
  Map<String, RepairResult> watch(Iterable<String> nodes, Instant deadline) throws InterruptedException {
    Map<String, Integer> stepsSeen = new LinkedHashMap<>();
    Map<String, RepairResult> results = new LinkedHashMap<>();
    nodes.forEach(n -> stepsSeen.put(n, 0));
    while (results.size() < stepsSeen.size() && Instant.now().isBefore(deadline)) {
      healthCheck.run();
      for (String node : stepsSeen.keySet()) {
        if (!results.containsKey(node)) {
          poll(node, stepsSeen).ifPresent(r -> results.put(node, r));
        }
      }
      Thread.sleep(POLL.toMillis());
    }
    return results;
  }

  private Optional<RepairResult> poll(String node, Map<String, Integer> stepsSeen) {
    String id = RepairIds.workflowId(cluster, node);
    RepairStatus status;
    try {
      status = client.newWorkflowStub(RepairNodeWorkflow.class, id).status();
    } catch (WorkflowNotFoundException notStartedYet) {
      return Optional.empty();
    }
    if (announced.add(node)) {
      webUiLink.apply(id).ifPresent(url -> out.printf("%8s  %-24s repair %s started: %s%n", elapsed(), node, id, url));
    }
    int seen = stepsSeen.get(node);
    for (RepairStatus.Step step : status.steps().subList(seen, status.steps().size())) {
      out.printf("%8s  %-24s %s%n", elapsed(), node, step.phase());
    }
    stepsSeen.put(node, status.steps().size());
    if (status.outcome() == null) {
      return Optional.empty();
    }
    return Optional.of(WorkflowStub.fromTyped(client.newWorkflowStub(RepairNodeWorkflow.class, id))
        .getResult(RepairResult.class));
  }

  private String elapsed() {
    return String.format("+%.1fs", Duration.between(start, Instant.now()).toMillis() / 1000.0);
  }
}
