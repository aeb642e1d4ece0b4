package io.autohealer.worker.kubernetes;

import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitCsiDetach;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.CsiDetachResult;
import io.autohealer.workflows.activities.KubernetesActivities.NodeReadyResult;
import io.autohealer.workflows.activities.KubernetesActivities.RejoinResult;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waits of a repair: each looks at the world every poll and heartbeats, rides out short API
 * outages, and fails only on a permanent API error. A bounded wait that runs out answers; it does
 * not fail.
 */
final class NodeWaits {
  private static final Logger log = LoggerFactory.getLogger(NodeWaits.class);

  private final KubernetesClient client;

  NodeWaits(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * Waits until the node is Ready and, when {@code notServerId} is set, backed by another server
   * (a rebuilt master keeps its name but not its server). A node whose server cannot be told
   * does not count then.
   */
  NodeReadyResult awaitNodeReady(AwaitNodeReady request) {
    String name = request.node();
    String notServer = request.notServerId() == null || request.notServerId().isBlank()
        ? null : request.notServerId().trim();
    // Compared in the form ServerIds gives; an id that is no uuid is compared as it is.
    String unwanted = notServer == null ? null : Objects.requireNonNullElse(ServerIds.normalise(notServer), notServer);
    Poll poll = Poll.until(request.timeout(), request.pollInterval());
    while (true) {
      Optional<Optional<Node>> read =
          poll.read("get node " + name, () -> Optional.ofNullable(client.nodes().withName(name).get()));
      if (read.isPresent()) {
        Optional<Node> node = read.get();
        String serverId = node.map(ServerIds::of).orElse(null);
        boolean otherServer = unwanted == null || (serverId != null && !serverId.equals(unwanted));
        if (node.filter(NodeConditions::isReady).isPresent() && otherServer) {
          log.info("Node {} is Ready (server {})", name, serverId);
          return new NodeReadyResult(true, serverId);
        }
        if (poll.expired()) {
          log.info("Node {} did not turn Ready{} in time", name,
              unwanted == null ? "" : " on a server other than " + unwanted);
          return new NodeReadyResult(false, null);
        }
        poll.heartbeat(describe(name, node, serverId, unwanted));
      } else if (poll.expired()) {
        // Not knowing is no answer: "not Ready" would send the repair on to a rebuild.
        throw KubernetesFailures.unavailable("get node " + name);
      }
      poll.pause();
    }
  }

  /** Waits until no VolumeAttachment for the node is left; answers the handles still attached. */
  CsiDetachResult awaitCsiDetach(AwaitCsiDetach request) {
    String name = request.node();
    CsiAttachments attachments = new CsiAttachments(client);
    Poll poll = Poll.until(request.timeout(), request.pollInterval());
    List<String> attached = null;
    while (true) {
      Optional<List<String>> now = poll.read("list volumeattachments of node " + name, () -> attachments.handles(name));
      if (now.isPresent()) {
        attached = now.get();
        if (attached.isEmpty()) {
          return new CsiDetachResult(List.of());
        }
      }
      if (poll.expired()) {
        if (attached == null) {
          // An empty answer would let the repair detach CSI volumes through Nova.
          throw KubernetesFailures.unavailable("list volumeattachments of node " + name);
        }
        log.warn("CSI volumes still attached to node {} after the timeout: {}", name, attached);
        return new CsiDetachResult(attached);
      }
      if (now.isPresent()) {
        poll.heartbeat("%d CSI volumes still attached to %s: %s".formatted(attached.size(), name, attached));
      }
      poll.pause();
    }
  }

  /**
   * Waits until enough nodes of the nodegroup (or role) other than the replaced one are Ready, or
   * one of them that registered since the replacement was asked for is; bounded only by the
   * activity's timeouts.
   */
  RejoinResult awaitRejoin(AwaitRejoin request) {
    Poll poll = Poll.unbounded(request.pollInterval());
    while (true) {
      Optional<List<Node>> ready = poll.read("list nodes", () -> readyNodes(request));
      if (ready.isPresent()) {
        List<String> names = ready.get().stream().map(n -> n.getMetadata().getName()).sorted().toList();
        if (names.size() >= request.expectedReady() || registeredSince(ready.get(), request.replacementsSince())) {
          return new RejoinResult(names);
        }
        poll.heartbeat("%d of %d nodes Ready, none registered since %s: %s".formatted(names.size(),
            request.expectedReady(), request.replacementsSince(), names));
      }
      poll.pause();
    }
  }

  private static boolean registeredSince(List<Node> nodes, Instant since) {
    if (since == null) {
      return false;
    }
    Instant second = since.truncatedTo(ChronoUnit.SECONDS); // creationTimestamp has whole seconds
    return nodes.stream()
        .map(n -> n.getMetadata().getCreationTimestamp())
        .anyMatch(created -> created != null && !Instant.parse(created).isBefore(second));
  }

  /**
   * The Ready nodes that count toward the rejoin, sorted: those of the nodegroup, or of the role
   * when no node is labelled with the nodegroup (clusters created before nodegroups existed).
   */
  private List<Node> readyNodes(AwaitRejoin request) {
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
        .toList();
  }

  private static String describe(String name, Optional<Node> node, String serverId, String unwanted) {
    if (node.isEmpty()) {
      return "node " + name + " not registered";
    }
    String status = "node %s Ready=%s on server %s".formatted(name, NodeConditions.readyStatus(node.get()), serverId);
    return unwanted != null && unwanted.equals(serverId) ? status + " (the old server)" : status;
  }
}
