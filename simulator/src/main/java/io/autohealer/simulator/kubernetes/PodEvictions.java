package io.autohealer.simulator.kubernetes;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetList;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The Eviction API (policy/v1) over the CRUD store: deletes the pod gracefully (see {@link
 * PodTerminations}) unless that would take a PodDisruptionBudget below its desired healthy count,
 * which is answered with 429 like the real apiserver does, or the eviction's uid precondition
 * names another pod (409). The budget is computed on the fly from the store, as the disruption controller
 * would (the mock has none): a pod is healthy when its Ready condition is True; the expected count
 * is the number of selected pods for an absolute minAvailable, else the replicas of their
 * controllers (ReplicaSet, StatefulSet, ReplicationController), a pod without one counting once.
 */
final class PodEvictions {
  private static final Set<String> PHASES_IGNORING_BUDGETS = Set.of("Succeeded", "Failed", "Pending");
  /** Controller kinds whose replicas set the expected pod count, with their paths (namespace, name). */
  private static final Map<String, String> SCALABLE = Map.of(
      "ReplicaSet", "/apis/apps/v1/namespaces/%s/replicasets/%s",
      "StatefulSet", "/apis/apps/v1/namespaces/%s/statefulsets/%s",
      "ReplicationController", "/api/v1/namespaces/%s/replicationcontrollers/%s");

  private final Function<String, MockResponse> get;
  private final PodTerminations terminations;
  private final KubernetesSerialization json = new KubernetesSerialization();

  PodEvictions(InProcessStore store, PodTerminations terminations) {
    this.get = store::get;
    this.terminations = terminations;
  }

  /**
   * Serialized so that two evictions cannot both take the last disruption a budget allows.
   *
   * @param body the Eviction (its deleteOptions: uid precondition, grace period), may be empty
   */
  synchronized MockResponse evict(String namespace, String name, String body) {
    String podPath = "/api/v1/namespaces/%s/pods/%s".formatted(namespace, name);
    MockResponse found = get.apply(podPath);
    if (found.code() == 404) {
      return status(404, "NotFound", "pods \"%s\" not found".formatted(name), null);
    }
    Pod pod = json.unmarshal(body(found), Pod.class);
    DeleteOptions options = body == null || body.isBlank()
        ? null : json.unmarshal(body, Eviction.class).getDeleteOptions();
    String expectedUid = options == null || options.getPreconditions() == null ? null : options.getPreconditions().getUid();
    if (expectedUid != null && !expectedUid.equals(pod.getMetadata().getUid())) {
      return status(409, "Conflict", "Precondition failed: UID in precondition: %s, UID in object meta: %s"
          .formatted(expectedUid, pod.getMetadata().getUid()), null);
    }
    if (!ignoresBudgets(pod)) {
      List<PodDisruptionBudget> budgets = budgetsCovering(pod);
      if (budgets.size() > 1) {
        return status(500, "InternalError",
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", null);
      }
      if (budgets.size() == 1) {
        String refusal = refusal(budgets.get(0), pod);
        if (refusal != null) {
          return status(429, "TooManyRequests",
              "Cannot evict pod as it would violate the pod's disruption budget.", refusal);
        }
      }
    }
    MockResponse deleted = terminations.delete(pod, options);
    return deleted.code() < 300 ? status(201, null, null, null) : deleted;
  }

  private static boolean ignoresBudgets(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null
        || (pod.getStatus() != null && PHASES_IGNORING_BUDGETS.contains(pod.getStatus().getPhase()));
  }

  private List<PodDisruptionBudget> budgetsCovering(Pod pod) {
    String path = "/apis/policy/v1/namespaces/%s/poddisruptionbudgets".formatted(pod.getMetadata().getNamespace());
    return json.unmarshal(body(get.apply(path)), PodDisruptionBudgetList.class).getItems().stream()
        .filter(b -> b.getSpec() != null && LabelSelectors.matches(b.getSpec().getSelector(), pod.getMetadata().getLabels()))
        .toList();
  }

  /** Why evicting {@code pod} would violate {@code budget}, or null when it would not. */
  private String refusal(PodDisruptionBudget budget, Pod pod) {
    String path = "/api/v1/namespaces/%s/pods".formatted(pod.getMetadata().getNamespace());
    List<Pod> covered = json.unmarshal(body(get.apply(path)), PodList.class).getItems().stream()
        .filter(p -> LabelSelectors.matches(budget.getSpec().getSelector(), p.getMetadata().getLabels()))
        .toList();
    int healthy = (int) covered.stream().filter(PodEvictions::isHealthy).count();
    int desired = desiredHealthy(budget.getSpec(), expectedCount(budget.getSpec(), covered));
    boolean allowed = isHealthy(pod)
        ? healthy - 1 >= desired
        : "AlwaysAllow".equals(budget.getSpec().getUnhealthyPodEvictionPolicy()) || healthy >= desired;
    return allowed
        ? null
        : "The disruption budget %s needs %d healthy pods and has %d currently"
            .formatted(budget.getMetadata().getName(), desired, healthy);
  }

  private int expectedCount(PodDisruptionBudgetSpec spec, List<Pod> covered) {
    if (spec.getMaxUnavailable() == null && spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() != null) {
      return covered.size();
    }
    Map<String, Integer> replicasByController = new HashMap<>();
    int uncontrolled = 0;
    for (Pod pod : covered) {
      Optional<OwnerReference> owner = pod.getMetadata().getOwnerReferences().stream()
          .filter(o -> Boolean.TRUE.equals(o.getController()) && SCALABLE.containsKey(o.getKind()))
          .findFirst();
      if (owner.isEmpty()) {
        uncontrolled++;
        continue;
      }
      String path = SCALABLE.get(owner.get().getKind())
          .formatted(pod.getMetadata().getNamespace(), owner.get().getName());
      replicasByController.computeIfAbsent(path, this::replicas);
    }
    return uncontrolled + replicasByController.values().stream().mapToInt(Integer::intValue).sum();
  }

  private int replicas(String controllerPath) {
    MockResponse found = get.apply(controllerPath);
    if (found.code() != 200) {
      return 1;
    }
    Object replicas = json.unmarshal(body(found), GenericKubernetesResource.class).get("spec", "replicas");
    return replicas instanceof Number n ? n.intValue() : 1;
  }

  static int desiredHealthy(PodDisruptionBudgetSpec spec, int expected) {
    if (spec.getMaxUnavailable() != null) {
      return Math.max(0, expected - scaled(spec.getMaxUnavailable(), expected));
    }
    if (spec.getMinAvailable() != null) {
      return scaled(spec.getMinAvailable(), expected);
    }
    return 0;
  }

  /** An absolute count, or a percentage of {@code total} rounded up as the disruption controller does. */
  private static int scaled(IntOrString value, int total) {
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String percent = value.getStrVal().trim();
    if (!percent.endsWith("%")) {
      return Integer.parseInt(percent);
    }
    int p = Integer.parseInt(percent.substring(0, percent.length() - 1));
    return (int) Math.ceil(p * total / 100.0);
  }

  private static boolean isHealthy(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private MockResponse status(int code, String reason, String message, String cause) {
    StatusBuilder status = new StatusBuilder()
        .withNewMetadata().endMetadata()
        .withStatus(code < 300 ? "Success" : "Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message);
    if (cause != null) {
      status.withNewDetails().addNewCause().withReason("DisruptionBudget").withMessage(cause).endCause().endDetails();
    }
    Status built = status.build();
    return new MockResponse().setResponseCode(code).setBody(json.asJson(built));
  }

  private static String body(MockResponse response) {
    return new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
  }
}
