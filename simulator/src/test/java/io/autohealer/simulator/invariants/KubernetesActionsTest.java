package io.autohealer.simulator.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Kubernetes requests the checker hears, as the healer's and the kubelets' clients send them. */
class KubernetesActionsTest {
  private final InvariantChecker checker = new InvariantChecker(new RepairLimits(1, 1));
  private final KubernetesActions actions = new KubernetesActions(checker, () -> null);

  private void send(HttpMethod method, String path, String body, String agent) {
    Headers headers = Headers.builder().add("User-Agent", agent).build();
    assertNull(actions.intercept(new RecordedRequest("HTTP/1.1", method, path, headers,
        new Buffer(body.getBytes(StandardCharsets.UTF_8)))), "never answers");
  }

  private void healer(HttpMethod method, String path, String body) {
    send(method, path, body, "fabric8-kubernetes-client/7");
  }

  @Test
  void followsARepairThroughItsRequests() {
    send(HttpMethod.POST, "/api/v1/nodes",
        "{\"metadata\":{\"name\":\"k8s-node-0\"},\"spec\":{\"providerID\":\"openstack:///w0\"}}",
        KubernetesSimulator.USER_AGENT);
    checker.serverChanged("w0", "k8s-node-0", "worker", ServerStatus.ACTIVE, NodeFault.BROKEN_UNTIL_REPLACED);
    healer(HttpMethod.POST, "/api/v1/namespaces/default/events",
        "{\"reason\":\"RepairStarted\",\"message\":\"Repair started for worker node k8s-node-0 (Temporal workflow x)\","
            + "\"involvedObject\":{\"kind\":\"Node\",\"name\":\"k8s-node-0\"}}");
    healer(HttpMethod.POST, "/api/v1/namespaces/default/events",
        "{\"reason\":\"RepairStarted\",\"message\":\"Repair of k8s-node-0 started: broken\","
            + "\"involvedObject\":{\"kind\":\"Node\",\"name\":\"k8s-node-0\"}}");
    healer(HttpMethod.PATCH, "/api/v1/nodes/k8s-node-0", "{\"spec\":{\"unschedulable\":true}}");
    healer(HttpMethod.POST, "/api/v1/namespaces/apps/pods/web-1/eviction", "{}");
    healer(HttpMethod.PATCH, "/api/v1/nodes/k8s-node-0", "{\"spec\":{\"unschedulable\":null}}");
    healer(HttpMethod.DELETE, "/api/v1/nodes/k8s-node-0", "");
    healer(HttpMethod.POST, "/api/v1/namespaces/default/events",
        "{\"reason\":\"RepairReplaced\",\"message\":\"done\",\"involvedObject\":{\"kind\":\"Node\",\"name\":\"k8s-node-0\"}}");

    List<String> trail = checker.trail();
    for (String expected : List.of("Node registered for server w0", "detector: Repair started for", "repair started",
        "healer: cordon", "healer: evict pod apps/web-1", "healer: uncordon", "healer: delete Node", "repair ended REPLACED")) {
      assertTrue(trail.stream().anyMatch(l -> l.contains(expected)), expected + " in\n" + String.join("\n", trail));
    }
    assertEquals(List.of("k8s-node-0"), checker.repairsOpened(), "the detector's Event is not a second start");
    assertEquals(List.of(Invariant.NODE_OUTLIVES_SERVER), checker.breaches().stream().map(Breach::invariant).toList(),
        "the Node of an ACTIVE server was deleted");
  }

  @Test
  void theSimulatorsOwnWritesAreNotTheHealers() {
    send(HttpMethod.DELETE, "/api/v1/nodes/k8s-node-1", "", KubernetesSimulator.USER_AGENT);
    send(HttpMethod.PATCH, "/api/v1/nodes/k8s-node-1/status", "{\"status\":{}}", KubernetesSimulator.USER_AGENT);

    assertEquals(List.of(), checker.deletedNodes());
    assertEquals(List.of(), checker.repairsOpened());
  }
}
