package io.autohealer.worker.kubernetes;

import static io.autohealer.worker.kubernetes.KubernetesFailures.call;

import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kubernetes side of a repair, on fabric8. Stateless and thread-safe. */
public final class KubernetesActivitiesImpl implements KubernetesActivities {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  // A JSON merge patch sends no resourceVersion, so it cannot conflict with the kubelet's status
  // updates; kubectl's strategic merge patch would do the same but is not served by every server.
  private static final String CORDON_PATCH = "{\"spec\":{\"unschedulable\":true}}";
  private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
  private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);

  private final KubernetesClient client;

  public KubernetesActivitiesImpl(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public NodeHealth inspectNode(InspectNode request) {
    Node node = getNode(request.node());
    if (node == null) {
      return new NodeHealth(false, false, NodeConditions.MISSING, false);
    }
    return new NodeHealth(
        true, NodeConditions.isReady(node), NodeConditions.readyStatus(node), NodeConditions.isCordoned(node));
  }

  @Override
  public CordonResult cordon(Cordon request) {
    String name = request.node();
    Node node = getNode(name);
    if (node == null) {
      throw KubernetesFailures.nodeNotFound(name, "cordon");
    }
    if (NodeConditions.isCordoned(node)) {
      return new CordonResult(false);
    }
    call("cordon node " + name,
        () -> client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), CORDON_PATCH));
    log.info("Cordoned node {}", name);
    return new CordonResult(true);
  }

  @Override
  public RejoinResult awaitRejoin(AwaitRejoin request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Duration poll = pollInterval(request.pollInterval());
    while (true) {
      try {
        List<String> ready = readyNodes(request);
        if (ready.size() >= request.expectedReady()) {
          return new RejoinResult(ready);
        }
        context.heartbeat("%d of %d nodes Ready: %s".formatted(ready.size(), request.expectedReady(), ready));
      } catch (KubernetesClientException e) {
        // A long wait must outlive a short API outage; only a permanent error ends it.
        if (!KubernetesFailures.isRetryable(e)) {
          throw KubernetesFailures.permanent("list nodes", e);
        }
        log.warn("Listing nodes failed, will look again in {}: {}", poll, e.getMessage());
        context.heartbeat("Kubernetes API unavailable: HTTP " + e.getCode());
      }
      sleep(poll);
    }
  }

  @Override
  public NodeDeleted deleteNode(DeleteNode request) {
    String name = request.node();
    boolean deleted = !call("delete node " + name, () -> client.nodes().withName(name).delete()).isEmpty();
    if (deleted) {
      log.info("Deleted node {}", name);
    }
    return new NodeDeleted(deleted);
  }

  /**
   * The Ready nodes that count toward the rejoin, sorted: those of the nodegroup, or of the role
   * when no node is labelled with the nodegroup (clusters created before nodegroups existed).
   */
  private List<String> readyNodes(AwaitRejoin request) {
    List<Node> candidates = List.of();
    if (request.nodegroup() != null && !request.nodegroup().isBlank()) {
      candidates = client.nodes().withLabel(NodeLabels.MAGNUM_NODEGROUP, request.nodegroup()).list().getItems();
    }
    if (candidates.isEmpty()) {
      boolean master = request.role() == NodeRole.MASTER;
      candidates = client.nodes().list().getItems().stream()
          .filter(n -> NodeLabels.isMaster(n) == master)
          .toList();
    }
    return candidates.stream()
        .filter(n -> !n.getMetadata().getName().equals(request.replacedNode()))
        .filter(NodeConditions::isReady)
        .map(n -> n.getMetadata().getName())
        .sorted()
        .toList();
  }

  private Node getNode(String name) {
    return call("get node " + name, () -> client.nodes().withName(name).get());
  }

  private static Duration pollInterval(Duration requested) {
    if (requested == null || requested.isZero() || requested.isNegative()) {
      return DEFAULT_POLL_INTERVAL;
    }
    return requested.compareTo(MIN_POLL_INTERVAL) < 0 ? MIN_POLL_INTERVAL : requested;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
  }
}
