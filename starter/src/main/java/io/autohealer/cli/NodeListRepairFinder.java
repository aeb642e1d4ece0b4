package io.autohealer.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * For a Temporal server without visibility queries (the Java test server of the sandbox and the
 * tests): lists the cluster's Nodes through Kubernetes and describes {@code repair-<cluster>-<node>}
 * of each, plus of any nodes named. It sees only the latest repair of each node, and not the repair
 * of a node whose Node object is gone unless that node is named.
 */
public final class NodeListRepairFinder implements RepairFinder {
  private final Supplier<KubernetesClient> kubernetes;
  private final Repairs repairs;

  public NodeListRepairFinder(Supplier<KubernetesClient> kubernetes, Repairs repairs) {
    this.kubernetes = kubernetes;
    this.repairs = repairs;
  }

  @Override
  public String describe(Request request) {
    return "the cluster's Nodes listed through Kubernetes, each node's repair-" + request.cluster()
        + "-<node> described (the Temporal server has no visibility queries)";
  }

  @Override
  public List<RepairSummary> find(Request request) {
    TreeSet<String> nodes = new TreeSet<>(request.extraNodes());
    try {
      for (Node node : kubernetes.get().nodes().list().getItems()) {
        nodes.add(node.getMetadata().getName());
      }
    } catch (RuntimeException e) {
      throw new CliFailure("cannot list the cluster's Nodes through Kubernetes (needed to find repairs "
          + "because the Temporal server has no visibility queries): " + Failures.rootMessage(e), e);
    }
    List<RepairSummary> found = new ArrayList<>();
    for (String node : nodes) {
      Optional<RepairSummary> repair = repairs.find(node);
      repair.filter(r -> !request.runningOnly() || r.running()).ifPresent(found::add);
    }
    return found.stream()
        .sorted(Comparator.comparing(RepairSummary::started, Comparator.nullsLast(Comparator.reverseOrder())))
        .limit(request.limit())
        .collect(Collectors.toList());
  }
}
