package io.autohealer.simulator.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autohealer.simulator.kubernetes.ApiInterceptor;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells the checker what the healer does through the Kubernetes API (cordon, uncordon, Node
 * deletion, evictions, its repairs' Events) and which server each Node a kubelet registers names.
 * Sees requests before the API handles them and never answers one; quick, and calls no client.
 */
final class KubernetesActions implements ApiInterceptor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NODE = Pattern.compile("^/api/v1/nodes/([^/?]+)(\\?.*)?$");
  private static final Pattern NODES = Pattern.compile("^/api/v1/nodes/?(\\?.*)?$");
  private static final Pattern EVICTION = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?$");
  private static final Pattern EVENTS = Pattern.compile("^/api/v1/namespaces/[^/]+/events/?(\\?.*)?$");
  private static final String PROVIDER_PREFIX = "openstack:///";
  /** How the detector's RepairStarted Event begins; the workflow's begins "Repair of <node> started". */
  private static final String DETECTOR_STARTED = "Repair started for ";
  private static final Set<String> ENDINGS = Set.of("RepairRecovered", "RepairRebooted", "RepairReplaced",
      "RepairRebuilt", "RepairCancelled", "RepairFailed");

  private final InvariantChecker checker;
  private final Supplier<String> gate;

  KubernetesActions(InvariantChecker checker, Supplier<String> gate) {
    this.checker = checker;
    this.gate = gate;
  }

  @Override
  public MockResponse intercept(RecordedRequest request) {
    try {
      observe(request.getMethod().toUpperCase(), request.getPath(), body(request), ApiInterceptor.fromSimulator(request));
    } catch (RuntimeException | IOException e) {
      checker.note(null, "cannot read a Kubernetes request " + request.getMethod() + " " + request.getPath() + ": " + e);
    }
    return null;
  }

  private void observe(String method, String path, String body, boolean fromSimulator) throws IOException {
    if (fromSimulator) {
      if (method.equals("POST") && NODES.matcher(path).matches() && !body.isEmpty()) {
        JsonNode node = JSON.readTree(body);
        String provider = node.path("spec").path("providerID").asText("");
        if (provider.startsWith(PROVIDER_PREFIX)) {
          checker.nodeRegistered(node.path("metadata").path("name").asText(), provider.substring(PROVIDER_PREFIX.length()));
        }
      }
      return;
    }
    Matcher node = NODE.matcher(path);
    if (node.matches()) {
      String name = node.group(1);
      if (method.equals("DELETE")) {
        checker.nodeDeleted(name);
      } else if ((method.equals("PATCH") || method.equals("PUT")) && body.contains("unschedulable")) {
        if (unschedulable(JSON.readTree(body))) {
          checker.gate(gate.get());
          checker.cordoned(name);
        } else {
          checker.uncordoned(name);
        }
      }
      return;
    }
    Matcher eviction = EVICTION.matcher(path);
    if (method.equals("POST") && eviction.matches()) {
      checker.evicted(eviction.group(1), eviction.group(2));
      return;
    }
    if (method.equals("POST") && EVENTS.matcher(path).matches() && body.contains("\"Repair")) {
      JsonNode event = JSON.readTree(body);
      String reason = event.path("reason").asText("");
      String name = event.path("involvedObject").path("name").asText("");
      String message = event.path("message").asText("");
      if (reason.equals("RepairStarted") && message.startsWith(DETECTOR_STARTED)) {
        // The detector says it started the workflow, at a time of its own (its Events are queued):
        // only the workflow's own Event marks the repair's start.
        checker.note(name, "detector: " + message);
      } else if (reason.equals("RepairStarted")) {
        checker.repairStarted(name);
      } else if (ENDINGS.contains(reason)) {
        checker.repairEnded(name, reason.substring("Repair".length()).toUpperCase());
      }
    }
  }

  /** spec.unschedulable as a merge patch, a JSON patch or a whole Node sets it. */
  private static boolean unschedulable(JsonNode body) {
    if (body.isArray()) {
      for (JsonNode op : body) {
        if (op.path("path").asText().equals("/spec/unschedulable")) {
          return !op.path("op").asText().equals("remove") && op.path("value").asBoolean(false);
        }
      }
      return false;
    }
    return body.path("spec").path("unschedulable").asBoolean(false);
  }

  private static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }
}
