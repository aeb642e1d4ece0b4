package io.autohealer.worker.kubernetes;

import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.DrainResult;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a node through the Eviction API, as {@code kubectl drain} and Cluster API do: every pod
 * bound to the node except DaemonSet, mirror and finished ones is evicted, which respects
 * PodDisruptionBudgets; a refused eviction (429) is asked again at the next poll, when the budget
 * may allow it (a replacement elsewhere became Ready). On a node that is not Ready nothing will
 * ever end an evicted pod, so a pod still there {@link #notReadyGrace} after its eviction was
 * accepted (or after the drain first saw it terminating) is deleted with no grace period, as
 * Cluster API does for unreachable nodes. The drain ends when no such pod is left or at the
 * deadline, and says what is left; a timeout is never a failure.
 *
 * <p>Evictions go through a client that does not retry: fabric8 would otherwise retry a 429 for
 * about 19 s inside one call, hiding the budget's answer and stalling every other pod.
 */
final class NodeDrainer {
  private static final Logger log = LoggerFactory.getLogger(NodeDrainer.class);
  private static final int NAMES_IN_HEARTBEAT = 5;

  private final KubernetesClient client;
  private final KubernetesClient evictions;
  private final Duration notReadyGrace;

  /**
   * @param client for reads and deletes
   * @param evictions the same server without the client's own 429/5xx retries
   * @param notReadyGrace how long an evicted pod of a node that is not Ready may take to go
   */
  NodeDrainer(KubernetesClient client, KubernetesClient evictions, Duration notReadyGrace) {
    this.client = Objects.requireNonNull(client, "client");
    this.evictions = Objects.requireNonNull(evictions, "evictions");
    this.notReadyGrace = Objects.requireNonNull(notReadyGrace, "notReadyGrace");
  }

  DrainResult drain(Drain request) {
    String node = request.node();
    Poll poll = Poll.until(request.timeout(), request.pollInterval());
    Progress progress = new Progress();
    Look look = look(poll, node);
    while (true) {
      if (look != null) {
        progress.seen(look);
        if (look.pending().isEmpty()) {
          log.info("Drained node {}: {} evicted, {} skipped", node, progress.evicted.size(), look.skipped().size());
          return progress.result(false);
        }
        act(node, look, progress);
        poll.heartbeat(progress.describe(node));
      }
      if (poll.expired()) {
        // One last look, so that what is reported as left is what is there now.
        Look last = look(poll, node);
        if (last != null) {
          progress.seen(last);
        } else if (!progress.looked) {
          // Never saw the node's pods: "nothing left" would be a guess.
          throw KubernetesFailures.unavailable("list pods of node " + node);
        }
        boolean timedOut = !progress.pending.isEmpty();
        if (timedOut) {
          log.warn("Drain of node {} timed out with {} pods left: {}", node, progress.pending.size(), progress.pending);
        }
        return progress.result(timedOut);
      }
      poll.pause();
      look = look(poll, node);
    }
  }

  /** The node's readiness and pods now, or null when the API could not be read this time. */
  private Look look(Poll poll, String node) {
    return poll.read("list pods of node " + node, () -> {
      Node current = client.nodes().withName(node).get();
      // A server-side field selector keeps the list small on big clusters; the pods are filtered
      // again because not every server honours it (the fabric8 mock server does not).
      List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems().stream()
          .filter(p -> DrainPods.onNode(p, node))
          .toList();
      List<Pod> pending = new ArrayList<>();
      Map<String, String> skipped = new TreeMap<>();
      for (Pod pod : pods) {
        String reason = DrainPods.skipReason(pod);
        if (reason == null) {
          pending.add(pod);
        } else {
          skipped.put(DrainPods.key(pod), reason);
        }
      }
      return new Look(current != null && NodeConditions.isReady(current), pending, skipped);
    }).orElse(null);
  }

  private void act(String node, Look look, Progress progress) {
    long now = System.nanoTime();
    for (Pod pod : look.pending()) {
      String key = DrainPods.key(pod);
      String uid = pod.getMetadata().getUid();
      if (DrainPods.terminating(pod)) {
        long since = progress.terminatingSince.computeIfAbsent(uid, u -> now);
        if (!look.nodeReady() && now - since >= notReadyGrace.toNanos()) {
          forceDelete(node, pod, progress);
        }
        continue;
      }
      evict(pod, key, uid, progress, now);
    }
  }

  private void evict(Pod pod, String key, String uid, Progress progress, long now) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    // The uid precondition makes sure that a pod of the same name made since the list (a
    // StatefulSet's next incarnation, elsewhere) is never evicted by mistake.
    Eviction eviction = new EvictionBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid(uid).endPreconditions().build())
        .build();
    try {
      if (evictions.pods().inNamespace(namespace).withName(name).evict(eviction)) {
        log.info("Evicted pod {}", key);
        progress.evicted.add(key);
        progress.blocked.remove(key);
        progress.terminatingSince.put(uid, now);
      } else {
        if (progress.blocked.put(key, "disruption budget") == null) {
          log.info("Eviction of pod {} refused for now: it would violate a PodDisruptionBudget", key);
        }
      }
    } catch (KubernetesClientException e) {
      switch (e.getCode()) {
        case 404 -> log.debug("Pod {} went away before its eviction", key);
        case 409 -> log.debug("Pod {} changed since it was listed; will look again", key);
        default -> {
          if (!KubernetesFailures.isRetryable(e)) {
            throw KubernetesFailures.permanent("evict pod " + key, e);
          }
          // 5xx: e.g. a pod covered by two budgets, which the apiserver refuses with 500.
          log.warn("Eviction of pod {} failed, will try again: HTTP {} {}", key, e.getCode(), e.getMessage());
          progress.blocked.put(key, "HTTP " + e.getCode());
        }
      }
    }
  }

  private void forceDelete(String node, Pod pod, Progress progress) {
    String key = DrainPods.key(pod);
    // Only for a pod already being deleted; a replacement of the same name cannot exist until it
    // is gone, so deleting by name cannot hit another pod.
    KubernetesFailures.call("delete pod " + key, () -> client.pods()
        .inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .withGracePeriod(0).delete());
    log.warn("Deleted pod {} with no grace period: node {} is not Ready and the pod was still there {} after its eviction",
        key, node, notReadyGrace);
    progress.evicted.add(key);
  }

  /** One look at the node: whether it is Ready, the pods to remove and those left on purpose. */
  private record Look(boolean nodeReady, List<Pod> pending, Map<String, String> skipped) {}

  /** What the drain has done so far and what it saw last. */
  private static final class Progress {
    final TreeSet<String> evicted = new TreeSet<>();
    /** Pods whose eviction was refused at their last attempt, with the reason. */
    final Map<String, String> blocked = new TreeMap<>();
    /** By pod uid: when (System.nanoTime) its eviction was accepted or it was first seen terminating. */
    final Map<String, Long> terminatingSince = new HashMap<>();
    TreeSet<String> pending = new TreeSet<>();
    Map<String, String> skipped = Map.of();
    boolean nodeReady;
    boolean looked;

    void seen(Look look) {
      looked = true;
      pending = new TreeSet<>();
      look.pending().forEach(p -> pending.add(DrainPods.key(p)));
      blocked.keySet().retainAll(pending);
      skipped = look.skipped();
      nodeReady = look.nodeReady();
    }

    DrainResult result(boolean timedOut) {
      return new DrainResult(List.copyOf(evicted), List.copyOf(skipped.keySet()), List.copyOf(pending), timedOut);
    }

    String describe(String node) {
      StringBuilder s = new StringBuilder("drain ").append(node)
          .append(nodeReady ? "" : " (not Ready)")
          .append(": ").append(evicted.size()).append(" evicted, ")
          .append(pending.size()).append(" left");
      if (!blocked.isEmpty()) {
        s.append(", refused: ").append(names(blocked));
      }
      return s.toString();
    }

    private static String names(Map<String, String> pods) {
      List<String> shown = pods.entrySet().stream().limit(NAMES_IN_HEARTBEAT)
          .map(e -> e.getKey() + " (" + e.getValue() + ")").toList();
      return String.join(", ", shown) + (pods.size() > NAMES_IN_HEARTBEAT ? ", ..." : "");
    }
  }
}
