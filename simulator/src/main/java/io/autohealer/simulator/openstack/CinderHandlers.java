package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Cinder v3's volume GET, which the healer reads for {@code bootable} and {@code status}. */
final class CinderHandlers {
  private final NovaCompute nova;
  private final String base;

  CinderHandlers(NovaCompute nova, String projectId) {
    this.nova = nova;
    this.base = "/volume/v3/" + projectId;
  }

  void register(Router router) {
    router.add(ApiService.CINDER, "GET", base + "/volumes/{id}", "cinder.volume.get", this::get);
  }

  private SimResponse get(SimRequest r) {
    String id = r.param("id");
    NovaCompute.Volume volume = nova.volume(id)
        .orElseThrow(() -> ApiException.notFound("Volume " + id + " could not be found."));
    ObjectNode body = Json.object();
    ObjectNode v = body.putObject("volume");
    v.put("id", volume.id()).put("name", volume.name()).put("status", volume.status())
        .put("size", volume.sizeGb()).put("bootable", Boolean.toString(volume.bootable()))
        .put("volume_type", "__DEFAULT__").put("availability_zone", "nova")
        .put("multiattach", false).put("created_at", Json.novaTime(Instant.now()));
    ArrayNode attachments = v.putArray("attachments");
    String server = volume.attachedTo();
    if (server != null) {
      attachments.addObject()
          .put("server_id", server).put("attachment_id", volume.id())
          .put("volume_id", volume.id()).put("device", volume.device());
    }
    return SimResponse.json(200, body);
  }
}
