package io.autohealer.worker.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openstack4j.api.types.ServiceType;

/**
 * Nova's volume attachments, which openstack4j can detach but not list. No microversion is sent
 * (2.1): an attachment's id is then its volume's id.
 */
final class NovaApi extends JsonApi {

  /** One row of {@code GET /servers/{id}/os-volume_attachments}. */
  record VolumeAttachment(String id, String volumeId, String device) {}

  NovaApi() {
    super(ServiceType.COMPUTE);
  }

  /** The server's attachments; empty when Nova does not know the server. */
  Optional<List<VolumeAttachment>> volumeAttachments(String serverId) {
    String call = "Nova GET /servers/" + serverId + "/os-volume_attachments";
    Reply reply = send(call, get(Void.class, uri("/servers/%s/os-volume_attachments", serverId)));
    if (reply.status() == 404) {
      return Optional.empty();
    }
    expect(call, reply, 200);
    List<VolumeAttachment> attachments = new ArrayList<>();
    for (JsonNode row : reply.body().path("volumeAttachments")) {
      String volumeId = row.path("volumeId").asText();
      attachments.add(new VolumeAttachment(row.path("id").asText(volumeId), volumeId,
          row.path("device").isNull() ? null : row.path("device").asText(null)));
    }
    return Optional.of(attachments);
  }

  /**
   * Asks Nova to detach a volume ({@code DELETE /servers/{id}/os-volume_attachments/{volumeId}},
   * 202). Returns false when Nova says it is not attached (404): detached already.
   */
  boolean detachVolume(String serverId, String volumeId) {
    String call = "Nova DELETE /servers/" + serverId + "/os-volume_attachments/" + volumeId;
    Reply reply = send(call, delete(Void.class, uri("/servers/%s/os-volume_attachments/%s", serverId, volumeId)));
    if (reply.status() == 404) {
      return false;
    }
    expect(call, reply, 202);
    return true;
  }
}
