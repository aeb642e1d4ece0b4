package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Set;

/** What a drain does with each pod of a node, as {@code kubectl drain} and Cluster API decide it. */
final class DrainPods {
  /** Set by the kubelet on the API copy of a static pod; deleting it achieves nothing. */
  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
  private static final Set<String> FINISHED = Set.of("Succeeded", "Failed");

  private DrainPods() {}

  /**
   * Why the drain leaves {@code pod} alone, or null when it must go: a DaemonSet pod (its
   * controller would put it back at once, and it tolerates the cordon), a mirror pod (the kubelet
   * owns it), or a pod that has finished (it holds no resources and no budget counts it).
   */
  static String skipReason(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(MIRROR_ANNOTATION)) {
      return "mirror pod";
    }
    if (pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && "DaemonSet".equals(o.getKind()))) {
      return "DaemonSet pod";
    }
    if (pod.getStatus() != null && FINISHED.contains(pod.getStatus().getPhase())) {
      return "finished";
    }
    return null;
  }

  static boolean onNode(Pod pod, String node) {
    return pod.getSpec() != null && node.equals(pod.getSpec().getNodeName());
  }

  /** Whether the pod is being deleted already (evicted, or deleted by someone else). */
  static boolean terminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** "namespace/name", as the drain result names pods. */
  static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
