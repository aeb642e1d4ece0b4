package io.autohealer.worker.kubernetes;

import io.fabric8.kubernetes.api.model.CSIPersistentVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The CSI volumes attached to a node, from its {@code storage.k8s.io/v1} VolumeAttachments: the
 * attach/detach controller deletes them once the node's pods are gone and the CSI driver has
 * detached the volume. Their handles (for Cinder CSI, the Cinder volume id) are what the repair
 * must not detach by force through Nova.
 */
final class CsiAttachments {
  private final KubernetesClient client;
  /** Handles of PersistentVolumes already read, by PV name; valid for one wait. */
  private final Map<String, String> handlesByVolume = new HashMap<>();

  CsiAttachments(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * The volume handles of the attachments of {@code node}, sorted. VolumeAttachments cannot be
   * selected by node on the server, so all are listed: there is one per attached CSI volume.
   */
  List<String> handles(String node) {
    TreeSet<String> handles = new TreeSet<>();
    for (VolumeAttachment attachment : client.storage().v1().volumeAttachments().list().getItems()) {
      if (attachment.getSpec() != null && node.equals(attachment.getSpec().getNodeName())) {
        handles.add(handle(attachment));
      }
    }
    return List.copyOf(handles);
  }

  /**
   * The attachment's volume handle: from its PersistentVolume's {@code spec.csi}, or from the
   * inline spec of a migrated in-tree volume; failing both, the PV's (or the attachment's) name,
   * so that an attachment is never left uncounted.
   */
  private String handle(VolumeAttachment attachment) {
    VolumeAttachmentSource source = attachment.getSpec().getSource();
    if (source != null && source.getPersistentVolumeName() != null) {
      String pv = source.getPersistentVolumeName();
      return handlesByVolume.computeIfAbsent(pv, this::handleOfVolume);
    }
    if (source != null && source.getInlineVolumeSpec() != null) {
      String handle = csiHandle(source.getInlineVolumeSpec());
      if (handle != null) {
        return handle;
      }
    }
    return attachment.getMetadata().getName();
  }

  private String handleOfVolume(String pvName) {
    PersistentVolume pv = client.persistentVolumes().withName(pvName).get();
    String handle = pv == null ? null : csiHandle(pv.getSpec());
    return handle != null ? handle : pvName;
  }

  private static String csiHandle(PersistentVolumeSpec spec) {
    CSIPersistentVolumeSource csi = spec == null ? null : spec.getCsi();
    return csi == null ? null : csi.getVolumeHandle();
  }
}
