package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/** Heat's {@code /heat/v1/{project}} API, as far as the healer uses it. */
final class HeatHandlers {
  private final HeatEngine heat;
  private final String base;
  private final String baseUrl;

  HeatHandlers(HeatEngine heat, String baseUrl, String projectId) {
    this.heat = heat;
    this.base = "/heat/v1/" + projectId;
    this.baseUrl = baseUrl;
  }

  void register(Router router) {
    router.add(ApiService.HEAT, "GET", base + "/stacks/{s}", "heat.stack.find", r -> redirect(r, ""));
    router.add(ApiService.HEAT, "GET", base + "/stacks/{s}/resources", "heat.stack.find", r -> redirect(r, "/resources"));
    router.add(ApiService.HEAT, "GET", base + "/stacks/{name}/{id}", "heat.stack.get", this::get);
    router.add(ApiService.HEAT, "PATCH", base + "/stacks/{name}/{id}", "heat.stack.update", this::update);
    router.add(ApiService.HEAT, "GET", base + "/stacks/{name}/{id}/resources", "heat.resource.list", this::resources);
    router.add(ApiService.HEAT, "PATCH", base + "/stacks/{name}/{id}/resources/{r}", "heat.resource.markUnhealthy",
        this::markUnhealthy);
  }

  /** Heat answers a lookup by name or id with a 302 to the canonical {name}/{id} URL. */
  private SimResponse redirect(SimRequest r, String suffix) {
    SimulatedCluster c = stack(r.param("s"));
    String query = r.queryParam("nested_depth") == null ? "" : "?nested_depth=" + r.queryParam("nested_depth");
    String location = baseUrl + base + "/stacks/" + c.stackName() + "/" + c.stackId() + suffix + query;
    return SimResponse.json(302, Map.of("code", "302 Found", "title", "Found",
            "message", "The resource was found at " + location + "."))
        .header("Location", location);
  }

  private SimResponse get(SimRequest r) {
    SimulatedCluster c = stack(r.param("id"));
    ObjectNode body = Json.object();
    ObjectNode stack = body.putObject("stack");
    String self = baseUrl + base + "/stacks/" + c.stackName() + "/" + c.stackId();
    stack.put("id", c.stackId()).put("stack_name", c.stackName())
        .put("stack_status", c.stackStatus()).put("stack_status_reason", c.stackStatusReason())
        .put("creation_time", Json.novaTime(Instant.now())).put("updated_time", Json.novaTime(c.updatedAt()))
        .put("description", "This template will boot a Kubernetes cluster with one or more minions")
        .put("disable_rollback", true).putNull("parent").put("stack_owner", "admin")
        .put("timeout_mins", 60);
    stack.putArray("links").addObject().put("href", self).put("rel", "self");
    stack.putObject("parameters");
    stack.putArray("outputs");
    stack.putArray("tags");
    return SimResponse.json(200, body);
  }

  private SimResponse update(SimRequest r) {
    heat.update(stack(r.param("id")));
    return SimResponse.json(202, Map.of("code", "202 Accepted", "title", "Accepted",
        "message", "The request is accepted for processing."));
  }

  private SimResponse resources(SimRequest r) {
    SimulatedCluster c = stack(r.param("id"));
    int depth;
    try {
      depth = r.queryParam("nested_depth") == null ? 0 : Integer.parseInt(r.queryParam("nested_depth"));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("Only integer is acceptable by 'nested_depth'.");
    }
    ObjectNode body = Json.object();
    ArrayNode list = body.putArray("resources");
    for (HeatEngine.Resource res : heat.resources(c, depth)) {
      String stackUrl = baseUrl + base + "/stacks/" + res.stackName() + "/" + res.stackId();
      ObjectNode row = list.addObject();
      row.put("resource_name", res.name()).put("logical_resource_id", res.name())
          .put("physical_resource_id", res.physicalId()).put("resource_type", res.type())
          .put("resource_status", res.status()).put("resource_status_reason", res.statusReason())
          .put("creation_time", Json.novaTime(Instant.now())).put("updated_time", Json.novaTime(Instant.now()))
          .put("parent_resource", res.parentResource());
      row.putArray("required_by");
      ArrayNode links = row.putArray("links");
      links.addObject().put("href", stackUrl + "/resources/" + res.name()).put("rel", "self");
      links.addObject().put("href", stackUrl).put("rel", "stack");
    }
    return SimResponse.json(200, body);
  }

  private SimResponse markUnhealthy(SimRequest r) {
    JsonNode body = r.json();
    JsonNode flag = body.path("mark_unhealthy");
    if (!flag.isBoolean()) {
      throw ApiException.badRequest("Unrecognized value '" + flag + "' for 'mark_unhealthy', acceptable values are: true, false");
    }
    heat.markUnhealthy(r.param("id"), r.param("r"), flag.asBoolean(),
        body.path("resource_status_reason").asText(""));
    return SimResponse.empty(200);
  }

  /** A cluster's top-level stack; nested stacks are reachable only through their resources. */
  private SimulatedCluster stack(String nameOrId) {
    return heat.clusterOfStack(nameOrId)
        .orElseThrow(() -> ApiException.notFound("The Stack (" + nameOrId + ") could not be found."));
  }
}
