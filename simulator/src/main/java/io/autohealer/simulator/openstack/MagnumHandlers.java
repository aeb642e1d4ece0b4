package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Magnum's {@code /magnum/v1} API: clusters, health PATCH, nodegroups and resize. */
final class MagnumHandlers {
  private static final String BASE = "/magnum/v1";
  private static final int MAX_MINOR = 10;
  private static final String MIN_VERSION = "container-infra 1.1";
  private static final String MAX_VERSION = "container-infra 1.10";

  private final MagnumEngine magnum;
  private final NovaCompute nova;
  private final String baseUrl;
  private final String projectId;
  private final String userId;

  MagnumHandlers(MagnumEngine magnum, NovaCompute nova, String baseUrl, String projectId, String userId) {
    this.magnum = magnum;
    this.nova = nova;
    this.baseUrl = baseUrl;
    this.projectId = projectId;
    this.userId = userId;
  }

  void register(Router router) {
    router.add(ApiService.MAGNUM, "GET", BASE + "/clusters", "magnum.cluster.list", versioned(1, this::list));
    router.add(ApiService.MAGNUM, "GET", BASE + "/clusters/{c}", "magnum.cluster.get", versioned(1, this::get));
    router.add(ApiService.MAGNUM, "PATCH", BASE + "/clusters/{c}", "magnum.cluster.patch", versioned(1, this::patch));
    router.add(ApiService.MAGNUM, "GET", BASE + "/clusters/{c}/nodegroups", "magnum.nodegroup.list",
        versioned(9, this::nodegroups));
    router.add(ApiService.MAGNUM, "GET", BASE + "/clusters/{c}/nodegroups/{ng}", "magnum.nodegroup.get",
        versioned(9, this::nodegroup));
    router.add(ApiService.MAGNUM, "POST", BASE + "/clusters/{c}/actions/resize", "magnum.resize",
        versioned(7, this::resize));
  }

  /** Applies Magnum's microversion rules, and its version headers to every answer. */
  private static Router.Handler versioned(int minMinor, Router.Handler handler) {
    return request -> {
      int minor = requestedMinor(request.header("OpenStack-API-Version"));
      String version = "container-infra 1." + minor;
      try {
        if (minor < minMinor) {
          throw new ApiException(406, "Version 1." + minor + " was requested but this action needs "
              + "container-infra 1." + minMinor + " or later");
        }
        return withVersionHeaders(handler.handle(request), version);
      } catch (ApiException e) {
        e.withHeader("OpenStack-API-Minimum-Version", MIN_VERSION)
            .withHeader("OpenStack-API-Maximum-Version", MAX_VERSION)
            .withHeader("OpenStack-API-Version", version)
            .withHeader("Vary", "OpenStack-API-Version");
        throw e;
      }
    };
  }

  /** No header means 1.1; a header for another service is ignored. */
  private static int requestedMinor(String header) {
    if (header == null) {
      return 1;
    }
    String[] parts = header.trim().split("\\s+");
    if (parts.length != 2 || !parts[0].toLowerCase().startsWith("container-infra")) {
      return 1;
    }
    if (parts[1].equalsIgnoreCase("latest")) {
      return MAX_MINOR;
    }
    String[] numbers = parts[1].split("\\.");
    int major;
    int minor;
    try {
      major = Integer.parseInt(numbers[0]);
      minor = numbers.length == 2 ? Integer.parseInt(numbers[1]) : -1;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("Invalid value for OpenStack-API-Version header: " + header);
    }
    if (numbers.length != 2) {
      throw ApiException.badRequest("Invalid value for OpenStack-API-Version header: " + header);
    }
    if (major != 1 || minor < 1 || minor > MAX_MINOR) {
      ObjectNode unsupported = Json.object();
      unsupported.putArray("errors").addObject()
          .put("request_id", "").put("min_version", "1.1").put("max_version", "1." + MAX_MINOR)
          .put("code", "magnum.microversion-unsupported").put("status", 406)
          .put("title", "Requested microversion is unsupported")
          .put("detail", "Version " + parts[1] + " was requested but the minimum supported version is 1.1"
              + " and the maximum is 1." + MAX_MINOR + ".")
          .putArray("links");
      throw new ApiException(406, "Requested microversion is unsupported")
          .withBody(unsupported)
          .withHeader("OpenStack-API-Minimum-Version", MIN_VERSION)
          .withHeader("OpenStack-API-Maximum-Version", MAX_VERSION)
          .withHeader("Vary", "OpenStack-API-Version");
    }
    return minor;
  }

  private static SimResponse withVersionHeaders(SimResponse response, String version) {
    return response
        .header("OpenStack-API-Minimum-Version", MIN_VERSION)
        .header("OpenStack-API-Maximum-Version", MAX_VERSION)
        .header("OpenStack-API-Version", version)
        .header("Vary", "OpenStack-API-Version");
  }

  private SimulatedCluster cluster(SimRequest r) {
    String ident = r.param("c");
    return magnum.find(ident)
        .orElseThrow(() -> ApiException.notFound("Cluster " + ident + " could not be found"));
  }

  private SimResponse list(SimRequest r) {
    ObjectNode body = Json.object();
    ArrayNode list = body.putArray("clusters");
    for (SimulatedCluster c : magnum.all()) {
      ObjectNode summary = list.addObject();
      c.locked(locked -> {
        summaryFields(summary, locked);
        return null;
      });
    }
    return SimResponse.json(200, body);
  }

  private SimResponse get(SimRequest r) {
    SimulatedCluster cluster = cluster(r);
    ObjectNode body = Json.object();
    cluster.locked(c -> {
      summaryFields(body, c);
      body.put("status_reason", c.statusReason())
          .set("health_status_reason", c.healthStatusReason());
      body.put("discovery_url", "https://discovery.etcd.io/" + c.uuid().replace("-", ""))
          .put("api_address", "https://" + firstAddress(c, "master") + ":6443")
          .put("coe_version", "v1.27.8").put("container_version", "1.12.6")
          .put("project_id", projectId).put("user_id", userId);
      ArrayNode nodeAddresses = body.putArray("node_addresses");
      addresses(c, "worker").forEach(nodeAddresses::add);
      ArrayNode masterAddresses = body.putArray("master_addresses");
      addresses(c, "master").forEach(masterAddresses::add);
      body.put("fixed_network", "private").put("fixed_subnet", "private-subnet")
          .put("floating_ip_enabled", false).put("master_lb_enabled", false);
      body.putObject("labels_overridden");
      body.putObject("labels_added");
      body.putObject("labels_skipped");
      body.put("created_at", Json.magnumTime(c.createdAt()))
          .put("updated_at", Json.magnumTime(c.updatedAt()));
      return null;
    });
    return SimResponse.json(200, body);
  }

  private void summaryFields(ObjectNode node, SimulatedCluster c) {
    node.put("uuid", c.uuid()).put("name", c.name())
        .put("cluster_template_id", "0562d357-8641-4759-8fed-8173f02c9633")
        .put("keypair", "default")
        .put("node_count", c.count("worker"))
        .put("master_count", c.count("master"))
        .put("docker_volume_size", 10);
    ObjectNode labels = node.putObject("labels");
    c.labels().forEach(labels::put);
    node.put("master_flavor_id", "m1.medium").put("flavor_id", "m1.medium")
        .put("create_timeout", 60);
    node.set("links", links("/clusters/" + c.uuid()));
    node.put("stack_id", c.stackId()).put("status", c.status())
        .put("health_status", c.healthStatus()).put("merge_labels", false);
  }

  private SimResponse patch(SimRequest r) {
    SimulatedCluster cluster = cluster(r);
    JsonNode ops = r.json();
    if (!ops.isArray()) {
      throw ApiException.badRequest("Invalid patch: a list of JSON patch operations is expected");
    }
    String status = null;
    ObjectNode reason = null;
    String reasonText = null;
    List<String> refused = new ArrayList<>();
    for (JsonNode op : ops) {
      String path = op.path("path").asText();
      JsonNode value = op.path("value");
      switch (path) {
        case "/health_status" -> {
          status = value.asText();
          if (!List.of("HEALTHY", "UNHEALTHY", "UNKNOWN").contains(status)) {
            throw ApiException.badRequest("Invalid health_status " + status);
          }
        }
        case "/health_status_reason" -> {
          reason = healthReason(value);
          reasonText = value.isTextual() ? value.asText() : value.toString();
        }
        default -> refused.add(path.replaceFirst("^/", ""));
      }
    }
    if (!refused.isEmpty()) {
      throw ApiException.badRequest("cannot change cluster property(ies) " + String.join(", ", refused));
    }
    magnum.patchHealth(cluster, status, reason, reasonText);
    return SimResponse.json(202, Map.of("uuid", cluster.uuid()));
  }

  /** A dict, or a string holding a Python dict literal as the Go healer sends it. */
  private static ObjectNode healthReason(JsonNode value) {
    if (value.isObject()) {
      return (ObjectNode) value;
    }
    try {
      JsonNode parsed = Json.MAPPER.readTree(value.asText().replace('\'', '"'));
      if (parsed.isObject()) {
        return (ObjectNode) parsed;
      }
    } catch (IOException e) {
      // fall through
    }
    throw ApiException.badRequest("health_status_reason must be a dict, got " + value);
  }

  private SimResponse nodegroups(SimRequest r) {
    SimulatedCluster cluster = cluster(r);
    ObjectNode body = Json.object();
    ArrayNode list = body.putArray("nodegroups");
    cluster.locked(c -> {
      for (SimNodegroup ng : c.nodegroups()) {
        ngSummary(list.addObject(), c, ng);
      }
      return null;
    });
    return SimResponse.json(200, body);
  }

  private SimResponse nodegroup(SimRequest r) {
    SimulatedCluster cluster = cluster(r);
    String ident = r.param("ng");
    ObjectNode body = Json.object();
    cluster.locked(c -> {
      SimNodegroup ng = c.nodegroup(ident).orElseThrow(
          () -> ApiException.notFound("Nodegroup " + ident + " could not be found"));
      body.put("id", Math.abs(ng.uuid().hashCode() % 1000));
      ngSummary(body, c, ng);
      body.put("cluster_id", c.uuid()).put("project_id", projectId).put("docker_volume_size", 10);
      ObjectNode labels = body.putObject("labels");
      c.labels().forEach(labels::put);
      body.set("links", links("/clusters/" + c.uuid() + "/nodegroups/" + ng.uuid()));
      ArrayNode addresses = body.putArray("node_addresses");
      ng.serverIds().forEach(id -> nova.world().server(id).ifPresent(s -> addresses.add(s.ip())));
      body.put("status_reason", ng.statusReason()).put("version", "0")
          .putObject("labels_overridden");
      body.putObject("labels_added");
      body.putObject("labels_skipped");
      body.put("created_at", Json.magnumTime(c.createdAt()))
          .put("updated_at", Json.magnumTime(c.updatedAt()));
      return null;
    });
    return SimResponse.json(200, body);
  }

  private static void ngSummary(ObjectNode node, SimulatedCluster c, SimNodegroup ng) {
    node.put("uuid", ng.uuid()).put("name", ng.name())
        .put("flavor_id", "m1.medium").put("image_id", "fedora-coreos-38")
        .put("node_count", ng.nodeCount()).put("role", ng.role())
        .put("min_node_count", ng.minNodeCount());
    if (ng.maxNodeCount() == null) {
      node.putNull("max_node_count");
    } else {
      node.put("max_node_count", ng.maxNodeCount());
    }
    node.put("is_default", ng.isDefault()).put("stack_id", c.stackId())
        .put("status", ng.status()).put("merge_labels", false);
  }

  private SimResponse resize(SimRequest r) {
    SimulatedCluster cluster = cluster(r);
    JsonNode body = r.json();
    JsonNode count = body.path("node_count");
    if (!count.isInt()) {
      throw ApiException.badRequest("Invalid input for field/attribute node_count. Value: "
          + (count.isMissingNode() ? "None" : count.toString()) + ". an integer is required");
    }
    List<String> toRemove = new ArrayList<>();
    JsonNode remove = body.path("nodes_to_remove");
    if (!remove.isMissingNode() && !remove.isNull()) {
      if (!remove.isArray()) {
        throw ApiException.badRequest("Invalid input for field/attribute nodes_to_remove");
      }
      remove.forEach(n -> toRemove.add(n.asText()));
    }
    String nodegroup = body.path("nodegroup").asText("default-worker");
    magnum.resize(cluster, nodegroup, count.asInt(), toRemove);
    return SimResponse.json(202, Map.of("uuid", cluster.uuid()));
  }

  private List<String> addresses(SimulatedCluster c, String role) {
    List<String> result = new ArrayList<>();
    for (String id : c.serverIds(role)) {
      nova.world().server(id).ifPresent(s -> result.add(s.ip()));
    }
    return result;
  }

  private String firstAddress(SimulatedCluster c, String role) {
    List<String> all = addresses(c, role);
    return all.isEmpty() ? "127.0.0.1" : all.get(0);
  }

  private ArrayNode links(String path) {
    ArrayNode links = Json.array();
    links.addObject().put("href", baseUrl + BASE + path).put("rel", "self");
    links.addObject().put("href", baseUrl + path).put("rel", "bookmark");
    return links;
  }
}
