package io.autohealer.simulator.kubernetes;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a graceful delete of a pod (an accepted eviction, or a DELETE) does: the apiserver marks
 * the pod terminating and the kubelet of its node ends it. Simulated kubelets are instant, so a
 * pod whose node's kubelet runs is gone at once; so is any pod deleted with grace period 0. A pod
 * whose kubelet does not run (server stopped, kubelet broken) stays terminating, as on a real
 * cluster, until its kubelet comes back or someone deletes it with no grace period.
 *
 * <p>The store deletes at once what holds no finalizer, so a terminating pod carries
 * {@link #FINALIZER} besides its {@code deletionTimestamp}; it stands for the kubelet's pending
 * work and is removed when that work is done.
 */
final class PodTerminations {
  /** Held by a pod that is terminating on a node whose kubelet does not run. */
  static final String FINALIZER = "simulator.autohealer.io/kubelet-termination";
  private static final long DEFAULT_GRACE_SECONDS = 30;

  private final InProcessStore store;
  private final Predicate<String> kubeletRunning;
  private final KubernetesSerialization json = new KubernetesSerialization();

  /** @param kubeletRunning whether the kubelet of the named node runs */
  PodTerminations(InProcessStore store, Predicate<String> kubeletRunning) {
    this.store = Objects.requireNonNull(store, "store");
    this.kubeletRunning = Objects.requireNonNull(kubeletRunning, "kubeletRunning");
  }

  /**
   * A graceful delete of {@code pod} with {@code options} (may be null); answers as the apiserver
   * does: 409 when a uid precondition does not match, else 200 with the pod as it is now.
   */
  MockResponse delete(Pod pod, DeleteOptions options) {
    MockResponse conflict = preconditionFailed(pod, options);
    if (conflict != null) {
      return conflict;
    }
    Long grace = options == null ? null : options.getGracePeriodSeconds();
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if ((grace != null && grace == 0) || node == null || kubeletRunning.test(node)) {
      remove(pod);
      return new MockResponse().setResponseCode(200).setBody(json.asJson(pod));
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return new MockResponse().setResponseCode(200).setBody(json.asJson(pod));
    }
    long seconds = grace != null ? grace
        : pod.getSpec().getTerminationGracePeriodSeconds() != null ? pod.getSpec().getTerminationGracePeriodSeconds()
        : DEFAULT_GRACE_SECONDS;
    String deadline = Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS).toString();
    boolean hasFinalizers = pod.getMetadata().getFinalizers() != null && !pod.getMetadata().getFinalizers().isEmpty();
    String patch = "[%s{\"op\":\"add\",\"path\":\"/metadata/deletionGracePeriodSeconds\",\"value\":%d},"
        .formatted(hasFinalizers
            ? "{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"" + FINALIZER + "\"},"
            : "{\"op\":\"add\",\"path\":\"/metadata/finalizers\",\"value\":[\"" + FINALIZER + "\"]},", seconds)
        + "{\"op\":\"add\",\"path\":\"/metadata/deletionTimestamp\",\"value\":\"" + deadline + "\"}]";
    MockResponse patched = store.jsonPatch(path(pod), patch);
    return new MockResponse().setResponseCode(patched.code() < 300 ? 200 : patched.code()).setBody(patched.getBody());
  }

  /** Removes the pod at once, whatever the simulator's finalizer says (the kubelet is done, or a forced delete). */
  void remove(Pod pod) {
    List<String> finalizers = pod.getMetadata().getFinalizers();
    int index = finalizers == null ? -1 : finalizers.indexOf(FINALIZER);
    if (index < 0) {
      store.delete(path(pod));
      return;
    }
    // Without the finalizer, a pod marked for deletion goes; with others left, it waits for them.
    store.jsonPatch(path(pod), "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers/%d\"}]".formatted(index));
    if (pod.getMetadata().getDeletionTimestamp() == null) {
      store.delete(path(pod));
    }
  }

  private MockResponse preconditionFailed(Pod pod, DeleteOptions options) {
    String expected = options == null || options.getPreconditions() == null ? null : options.getPreconditions().getUid();
    String actual = pod.getMetadata().getUid();
    if (expected == null || expected.equals(actual)) {
      return null;
    }
    String message = "Precondition failed: UID in precondition: %s, UID in object meta: %s".formatted(expected, actual);
    return new MockResponse().setResponseCode(409).setBody(json.asJson(new StatusBuilder()
        .withNewMetadata().endMetadata().withStatus("Failure").withCode(409).withReason("Conflict").withMessage(message)
        .build()));
  }

  static String path(Pod pod) {
    return "/api/v1/namespaces/%s/pods/%s".formatted(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }
}
