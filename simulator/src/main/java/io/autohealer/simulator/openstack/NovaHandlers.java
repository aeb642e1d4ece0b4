package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;

/** Nova's {@code /compute/v2.1} servers API (microversion 2.1 behaviour). */
final class NovaHandlers {
  private static final String BASE = "/compute/v2.1";

  private final NovaCompute nova;
  private final String baseUrl;
  private final String projectId;
  private final String userId;

  NovaHandlers(NovaCompute nova, String baseUrl, String projectId, String userId) {
    this.nova = nova;
    this.baseUrl = baseUrl;
    this.projectId = projectId;
    this.userId = userId;
  }

  void register(Router router) {
    router.add(ApiService.NOVA, "GET", BASE + "/servers/detail", "nova.server.list", this::list);
    router.add(ApiService.NOVA, "GET", BASE + "/servers", "nova.server.list", this::list);
    router.add(ApiService.NOVA, "GET", BASE + "/servers/{id}", "nova.server.get", this::get);
    router.add(ApiService.NOVA, "DELETE", BASE + "/servers/{id}", "nova.server.delete", r -> {
      nova.delete(r.param("id"), "delete");
      return SimResponse.empty(204);
    });
    router.add(ApiService.NOVA, "POST", BASE + "/servers/{id}/action",
        NovaHandlers::actionOperation, true, this::action);
    router.add(ApiService.NOVA, "GET", BASE + "/servers/{id}/os-volume_attachments",
        "nova.server.volumeAttachments", this::attachments);
    router.add(ApiService.NOVA, "DELETE", BASE + "/servers/{id}/os-volume_attachments/{volume}",
        "nova.server.volumeDetach", r -> {
          nova.detachVolume(r.param("id"), r.param("volume"));
          return novaJson(202, null);
        });
  }

  private SimResponse get(SimRequest r) {
    NovaCompute.View view = nova.view(r.param("id")).orElseThrow(
        () -> ApiException.notFound("Instance " + r.param("id") + " could not be found."));
    ObjectNode body = Json.object();
    body.set("server", serverJson(view));
    return novaJson(200, body);
  }

  private SimResponse list(SimRequest r) {
    String name = r.queryParam("name");
    ObjectNode body = Json.object();
    ArrayNode servers = body.putArray("servers");
    for (NovaCompute.View view : nova.views()) {
      if (name == null || view.server().name().matches(name)) {
        servers.add(serverJson(view));
      }
    }
    return novaJson(200, body);
  }

  private SimResponse action(SimRequest r) {
    String id = r.param("id");
    JsonNode body = r.json();
    String action = firstKey(body);
    if (action == null) {
      throw ApiException.badRequest("Malformed request body");
    }
    switch (action) {
      case "os-stop" -> nova.stop(id);
      case "os-start" -> nova.start(id);
      case "reboot" -> {
        String type = body.path("reboot").path("type").asText("");
        if (!type.equals("SOFT") && !type.equals("HARD")) {
          throw ApiException.badRequest(
              "Invalid input for field/attribute type. Value: " + type + ". 'SOFT' or 'HARD' expected");
        }
        nova.reboot(id, type.equals("HARD"));
      }
      case "forceDelete" -> nova.delete(id, "forceDelete");
      default -> throw ApiException.badRequest("There is no such action: " + action);
    }
    return novaJson(202, null);
  }

  private SimResponse attachments(SimRequest r) {
    NovaCompute.View view = nova.view(r.param("id")).orElseThrow(
        () -> ApiException.notFound("Instance " + r.param("id") + " could not be found."));
    ObjectNode body = Json.object();
    ArrayNode list = body.putArray("volumeAttachments");
    synchronized (view.meta().volumes) {
      for (String volume : view.meta().volumes) {
        String device = nova.volume(volume).map(NovaCompute.Volume::device).orElse("/dev/vdb");
        list.addObject().put("id", volume).put("serverId", view.server().id())
            .put("volumeId", volume).put("device", device);
      }
    }
    return novaJson(200, body);
  }

  private static String actionOperation(SimRequest r) {
    String action;
    try {
      action = firstKey(r.json());
    } catch (ApiException malformed) {
      action = null;
    }
    if (action == null) {
      return "nova.server.action";
    }
    return "nova.server." + switch (action) {
      case "os-stop" -> "stop";
      case "os-start" -> "start";
      default -> action;
    };
  }

  private static String firstKey(JsonNode body) {
    Iterator<String> names = body.fieldNames();
    return names.hasNext() ? names.next() : null;
  }

  private static SimResponse novaJson(int status, Object body) {
    return SimResponse.json(status, body)
        .header("OpenStack-API-Version", "compute 2.1")
        .header("X-OpenStack-Nova-API-Version", "2.1")
        .header("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
  }

  private ObjectNode serverJson(NovaCompute.View view) {
    var s = view.server();
    var meta = view.meta();
    String self = baseUrl + BASE + "/servers/" + s.id();
    ObjectNode server = Json.object();
    server.put("id", s.id()).put("name", s.name()).put("status", view.status())
        .put("tenant_id", projectId).put("user_id", userId)
        .put("hostId", "c2f6d8f0a6b84b8e9d7b1a2c3d4e5f60a1b2c3d4e5f6a7b8c9d0e1f2")
        .put("created", Json.novaTime(meta.created)).put("updated", Json.novaTime(meta.updated))
        .put("progress", 0);
    ObjectNode metadata = server.putObject("metadata");
    metadata.put("role", s.role()).put("nodegroup", s.nodegroup());
    ObjectNode addresses = server.putObject("addresses");
    addresses.putArray("private").addObject()
        .put("addr", s.ip()).put("version", 4)
        .put("OS-EXT-IPS:type", "fixed").put("OS-EXT-IPS-MAC:mac_addr", meta.mac);
    if (meta.bootVolumeId != null) {
      server.put("image", ""); // what Nova shows for a server booted from a volume
    } else {
      server.putObject("image").put("id", "5a7c3f8e-1d2b-4c6a-9e8f-0a1b2c3d4e5f")
          .set("links", links(baseUrl + "/images/5a7c3f8e-1d2b-4c6a-9e8f-0a1b2c3d4e5f"));
    }
    server.putObject("flavor").put("id", "m1.medium").set("links", links(baseUrl + "/flavors/m1.medium"));
    server.put("key_name", "default").set("links", selfLinks(self));
    server.put("accessIPv4", "").put("accessIPv6", "").put("config_drive", "")
        .put("OS-DCF:diskConfig", "MANUAL")
        .put("OS-EXT-AZ:availability_zone", "nova")
        .put("OS-EXT-SRV-ATTR:host", "compute-1")
        .put("OS-EXT-SRV-ATTR:hypervisor_hostname", "compute-1.example.org")
        .put("OS-EXT-SRV-ATTR:instance_name", "instance-" + s.id().substring(0, 8))
        .put("OS-EXT-STS:vm_state", view.vmState())
        .put("OS-EXT-STS:task_state", meta.taskState)
        .put("OS-EXT-STS:power_state", view.powerState())
        .put("OS-SRV-USG:launched_at", Json.novaTime(meta.launchedAt))
        .putNull("OS-SRV-USG:terminated_at");
    server.putArray("security_groups").addObject().put("name", "default");
    ArrayNode volumes = server.putArray("os-extended-volumes:volumes_attached");
    synchronized (meta.volumes) {
      meta.volumes.forEach(v -> volumes.addObject().put("id", v));
    }
    return server;
  }

  private static ArrayNode links(String href) {
    ArrayNode links = Json.array();
    links.addObject().put("rel", "bookmark").put("href", href);
    return links;
  }

  private static ArrayNode selfLinks(String self) {
    ArrayNode links = Json.array();
    links.addObject().put("rel", "self").put("href", self);
    links.addObject().put("rel", "bookmark").put("href", self);
    return links;
  }
}
