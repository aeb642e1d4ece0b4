package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns answered calls that change something into {@link OpenStackAction}s for the listeners. */
final class ActionReporter {
  private static final Logger log = LoggerFactory.getLogger(ActionReporter.class);

  private final HeatEngine heat;
  private final List<OpenStackActionListener> listeners = new CopyOnWriteArrayList<>();

  ActionReporter(HeatEngine heat) {
    this.heat = heat;
  }

  void add(OpenStackActionListener listener) {
    listeners.add(listener);
  }

  void remove(OpenStackActionListener listener) {
    listeners.remove(listener);
  }

  void answered(String operation, SimRequest request, int status) {
    if (listeners.isEmpty() || request.method().equals("GET") || operation.startsWith("keystone.")
        || operation.equals("magnum.cluster.patch") || operation.equals("unknown")) {
      return;
    }
    OpenStackAction action;
    try {
      action = describe(operation, request, status);
    } catch (RuntimeException e) {
      log.warn("cannot describe {} for the action listeners", operation, e);
      return;
    }
    listeners.forEach(l -> l.acted(action));
  }

  private OpenStackAction describe(String operation, SimRequest request, int status) {
    List<String> servers = new ArrayList<>();
    String detail = "";
    JsonNode body = request.body().length == 0 ? null : parse(request);
    switch (operation) {
      case "magnum.resize" -> {
        if (body != null) {
          body.path("nodes_to_remove").forEach(n -> servers.add(n.asText()));
          detail = "nodegroup " + body.path("nodegroup").asText("default-worker")
              + ", node_count " + body.path("node_count").asText();
        }
      }
      case "heat.resource.markUnhealthy" -> {
        heat.serverOfResource(request.param("id"), request.param("r")).ifPresent(servers::add);
        boolean unhealthy = body != null && body.path("mark_unhealthy").asBoolean(false);
        detail = "resource " + request.param("r") + (unhealthy ? "" : " (mark_unhealthy false)");
      }
      case "heat.stack.update" -> detail = "stack " + request.param("name");
      default -> {
        if (request.param("id") != null && operation.startsWith("nova.")) {
          servers.add(request.param("id"));
        }
        if (operation.equals("nova.server.reboot") && body != null) {
          detail = body.path("reboot").path("type").asText("");
        } else if (operation.equals("nova.server.volumeDetach")) {
          detail = "volume " + request.param("volume");
        }
      }
    }
    return new OpenStackAction(operation, List.copyOf(servers), detail, status);
  }

  private static JsonNode parse(SimRequest request) {
    try {
      return request.json();
    } catch (ApiException malformed) {
      return null;
    }
  }
}
