package io.autohealer.worker.openstack;

import io.autohealer.workflows.activities.CloudActivities.DetachResult;
import io.autohealer.workflows.activities.CloudActivities.RebootResult;
import io.autohealer.workflows.activities.CloudActivities.ServerDeleted;
import io.autohealer.workflows.activities.CloudActivities.ShutOffResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.model.compute.Action;
import org.openstack4j.model.compute.Address;
import org.openstack4j.model.compute.RebootType;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.storage.block.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nova servers and their Cinder volumes: read, soft reboot, stop, force delete and detach. Every
 * action reads the server first and treats Nova's 409 as a state to read again, not as a crash.
 * Call with a client that {@link OpenStackSession#client()} bound to the calling thread.
 */
final class NovaServers {
  private static final Logger log = LoggerFactory.getLogger(NovaServers.class);
  /** Device names a server boots from; Nova 2.1 shows no root_device_name. */
  private static final Set<String> ROOT_DEVICES = Set.of("/dev/vda", "/dev/sda", "/dev/xvda", "/dev/hda");

  /** What the healer knows of one attached volume. */
  record AttachedVolume(String volumeId, String device, boolean known, boolean bootable, String status) {
    boolean atRootDevice() {
      return device != null && ROOT_DEVICES.contains(device);
    }

    /** Cinder shows it detaching (or detached but still listed): a detach was sent already. */
    boolean detachStarted() {
      return "detaching".equals(status) || "available".equals(status);
    }
  }

  /** A server's attached volumes and which of them it boots from (null if none). */
  record Volumes(List<AttachedVolume> attached, String bootVolumeId) {
    /** Volumes never to detach: the boot volume, anything bootable, and what Cinder does not know. */
    boolean mustStay(AttachedVolume v) {
      return v.volumeId().equals(bootVolumeId) || v.bootable() || !v.known();
    }
  }

  private final NovaApi api = new NovaApi();

  /** The server, or null when Nova does not know it (openstack4j maps 404 to null). */
  Server get(OSClientV3 os, String serverId) {
    try {
      return os.compute().servers().get(serverId);
    } catch (ResponseException e) {
      throw CloudFailures.of("Nova GET /servers/" + serverId, e);
    }
  }

  static String status(Server server) {
    return server == null ? "DELETED" : server.getStatus() == null ? "UNKNOWN" : server.getStatus().name();
  }

  /**
   * Sends a SOFT reboot to an ACTIVE server. A server already rebooting, or one an earlier attempt
   * of this activity rebooted (heartbeat details), counts as rebooted without a second reboot. A
   * server that cannot be soft-rebooted (SHUTOFF, ERROR, gone, ...) is reported, not failed.
   */
  RebootResult reboot(OSClientV3 os, String serverId) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Server server = get(os, serverId);
    if (server == null) {
      log.info("Server {} no longer exists; it cannot be rebooted", serverId);
      return new RebootResult(false, "DELETED");
    }
    boolean sentEarlier = context.getHeartbeatDetails(CloudActivitiesImpl.RebootSent.class)
        .filter(d -> serverId.equals(d.serverId())).isPresent();
    if (rebooting(server) || sentEarlier) {
      log.info("Server {} is already rebooting ({}{}); not sending another reboot",
          serverId, status(server), describeTask(server));
      return new RebootResult(true, status(server));
    }
    if (server.getStatus() != Server.Status.ACTIVE) {
      log.info("Server {} is {}: a soft reboot is not possible", serverId, status(server));
      return new RebootResult(false, status(server));
    }
    if (server.getTaskState() != null) {
      throw busy(serverId, server, "reboot");
    }
    String call = "Nova POST /servers/" + serverId + "/action reboot SOFT";
    ActionResponse response = act(call, () -> os.compute().servers().reboot(serverId, RebootType.SOFT));
    if (response.isSuccess()) {
      context.heartbeat(new CloudActivitiesImpl.RebootSent(serverId));
      log.info("Asked Nova to soft-reboot server {}", serverId);
      return new RebootResult(true, "REBOOT");
    }
    if (response.getCode() == 404) {
      return new RebootResult(false, "DELETED");
    }
    if (response.getCode() != 409) {
      throw CloudFailures.of(new OpenStackApiException(call, response.getCode(), response.getFault()));
    }
    // Its state changed under us (Go's "reboot_started" error): what is it now?
    log.info("{} conflicted ({}); reading the server again", call, response.getFault());
    Server now = get(os, serverId);
    if (now == null) {
      return new RebootResult(false, "DELETED");
    }
    if (rebooting(now)) {
      return new RebootResult(true, status(now));
    }
    if (now.getStatus() == Server.Status.ACTIVE) {
      throw busy(serverId, now, "reboot");
    }
    return new RebootResult(false, status(now));
  }

  /** Stops the server and waits until it is SHUTOFF; a no-op when it already is or is gone. */
  ShutOffResult shutOff(OSClientV3 os, String serverId, Duration poll) {
    Server server = get(os, serverId);
    if (server == null) {
      log.info("Server {} no longer exists; nothing to shut off", serverId);
      return new ShutOffResult("DELETED", true);
    }
    if (server.getStatus() == Server.Status.SHUTOFF) {
      return new ShutOffResult("SHUTOFF", true);
    }
    // An earlier attempt may have sent the stop already; Nova would refuse a second one.
    boolean stopSent = "powering-off".equals(server.getTaskState());
    while (true) {
      if (!stopSent && stoppable(server)) {
        stopSent = requestStop(os, serverId);
      }
      Waits.heartbeat("server " + serverId + " is " + status(server) + describeTask(server));
      Waits.sleep(poll);
      server = get(os, serverId);
      if (server == null) {
        return new ShutOffResult("DELETED", false);
      }
      if (server.getStatus() == Server.Status.SHUTOFF) {
        log.info("Server {} is SHUTOFF", serverId);
        return new ShutOffResult("SHUTOFF", false);
      }
    }
  }

  /**
   * Force-deletes the server. Nova accepts {@code forceDelete} only for soft-deleted servers
   * (409 otherwise), so a refused one falls back to a plain DELETE, which works in every state.
   */
  ServerDeleted forceDelete(OSClientV3 os, String serverId) {
    Server server = get(os, serverId);
    if (server == null) {
      log.info("Server {} no longer exists; nothing to delete", serverId);
      return new ServerDeleted(false);
    }
    if ("deleting".equals(server.getTaskState())) {
      log.info("Server {} is already being deleted", serverId);
      return new ServerDeleted(true);
    }
    String call = "Nova POST /servers/" + serverId + "/action forceDelete";
    ActionResponse response = act(call, () -> os.compute().servers().action(serverId, Action.FORCEDELETE));
    if (response.getCode() == 409) {
      log.info("{} conflicted ({}); deleting the server instead", call, response.getFault());
      call = "Nova DELETE /servers/" + serverId;
      response = act(call, () -> os.compute().servers().delete(serverId));
    }
    if (response.isSuccess()) {
      log.info("Asked Nova to delete server {}", serverId);
      return new ServerDeleted(true);
    }
    if (response.getCode() == 404) {
      return new ServerDeleted(false);
    }
    if (response.getCode() == 409) {
      Server now = get(os, serverId);
      if (now == null) {
        return new ServerDeleted(false);
      }
      if ("deleting".equals(now.getTaskState())) {
        return new ServerDeleted(true);
      }
    }
    throw CloudFailures.of(new OpenStackApiException(call, response.getCode(), response.getFault()));
  }

  /**
   * The server's attached volumes as Nova and Cinder see them, and its boot volume; empty when
   * Nova does not know the server.
   */
  Optional<Volumes> volumes(OSClientV3 os, String serverId) {
    Optional<List<NovaApi.VolumeAttachment>> attachments = api.volumeAttachments(serverId);
    if (attachments.isEmpty()) {
      return Optional.empty();
    }
    List<AttachedVolume> attached = new ArrayList<>();
    for (NovaApi.VolumeAttachment a : attachments.get()) {
      Volume volume = cinderVolume(os, a.volumeId());
      if (volume == null) {
        log.warn("Cinder does not know volume {} attached to server {} at {}; it is left attached",
            a.volumeId(), serverId, a.device());
        attached.add(new AttachedVolume(a.volumeId(), a.device(), false, false, null));
      } else {
        attached.add(new AttachedVolume(a.volumeId(), a.device(), true, volume.bootable(),
            volume.getStatus() == null ? null : volume.getStatus().value()));
      }
    }
    return Optional.of(new Volumes(attached, bootVolume(attached)));
  }

  /**
   * Detaches every volume except the boot volume (and anything else bootable, as the Go healer
   * never detaches those) and the ones in {@code keep}, then waits until Nova no longer lists
   * them on the server. Volumes an earlier attempt started to detach are waited for, not sent
   * again (Nova answers 400 to a second detach).
   */
  DetachResult detach(OSClientV3 os, String serverId, Collection<String> keep, Duration poll) {
    Optional<Volumes> found = volumes(os, serverId);
    if (found.isEmpty()) {
      log.info("Server {} no longer exists; nothing to detach", serverId);
      return new DetachResult(List.of(), null);
    }
    Volumes volumes = found.get();
    Set<String> keepIds = keep == null ? Set.of() : new HashSet<>(keep);
    Set<String> detached = new LinkedHashSet<>();
    for (AttachedVolume v : volumes.attached()) {
      if (volumes.mustStay(v) || keepIds.contains(v.volumeId())) {
        continue;
      }
      if (v.detachStarted()) {
        log.info("Volume {} is already {} from server {}", v.volumeId(), v.status(), serverId);
        detached.add(v.volumeId());
      } else if (requestDetach(os, serverId, v.volumeId())) {
        detached.add(v.volumeId());
      }
    }
    awaitDetached(os, serverId, detached, poll);
    return new DetachResult(List.copyOf(detached), volumes.bootVolumeId());
  }

  /** Cinder's volume, or null when Cinder does not know it. */
  Volume cinderVolume(OSClientV3 os, String volumeId) {
    try {
      return os.blockStorage().volumes().get(volumeId);
    } catch (ResponseException e) {
      throw CloudFailures.of("Cinder GET /volumes/" + volumeId, e);
    }
  }

  /** Sends the detach; false when Nova says the volume is not attached any more. */
  private boolean requestDetach(OSClientV3 os, String serverId, String volumeId) {
    try {
      boolean sent = api.detachVolume(serverId, volumeId);
      log.info(sent ? "Asked Nova to detach volume {} from server {}" : "Volume {} is no longer attached to server {}",
          volumeId, serverId);
      return sent;
    } catch (OpenStackApiException e) {
      if (e.status() != 400) {
        throw e;
      }
      // Nova refuses a volume that is not in-use any more: did someone start detaching it?
      Volume now = cinderVolume(os, volumeId);
      String status = now == null || now.getStatus() == null ? null : now.getStatus().value();
      if (now == null || "detaching".equals(status) || "available".equals(status)) {
        log.info("Volume {} is {} already", volumeId, now == null ? "gone" : status);
        return now != null;
      }
      throw e;
    }
  }

  private void awaitDetached(OSClientV3 os, String serverId, Set<String> volumeIds, Duration poll) {
    if (volumeIds.isEmpty()) {
      return;
    }
    while (true) {
      Server server = get(os, serverId);
      if (server == null) {
        log.info("Server {} is gone; its volumes are detached with it", serverId);
        return;
      }
      List<String> attached = server.getOsExtendedVolumesAttached() == null
          ? List.of() : server.getOsExtendedVolumesAttached();
      List<String> remaining = volumeIds.stream().filter(attached::contains).toList();
      if (remaining.isEmpty()) {
        log.info("Volumes {} are detached from server {}", volumeIds, serverId);
        return;
      }
      Waits.heartbeat("waiting for volumes " + remaining + " to detach from server " + serverId);
      Waits.sleep(poll);
    }
  }

  /**
   * The volume the server boots from: the bootable one at the root device, else the only
   * bootable one, else whatever sits at the root device (Nova refuses to detach it anyway).
   */
  private static String bootVolume(List<AttachedVolume> attached) {
    Optional<AttachedVolume> rootBootable = attached.stream()
        .filter(v -> v.bootable() && v.atRootDevice()).findFirst();
    if (rootBootable.isPresent()) {
      return rootBootable.get().volumeId();
    }
    List<AttachedVolume> bootable = attached.stream().filter(AttachedVolume::bootable).toList();
    if (!bootable.isEmpty()) {
      return bootable.get(0).volumeId();
    }
    return attached.stream().filter(AttachedVolume::atRootDevice).map(AttachedVolume::volumeId)
        .findFirst().orElse(null);
  }

  /** Sends os-stop; false when Nova answered 409 (its state changed under us: read it again). */
  private static boolean requestStop(OSClientV3 os, String serverId) {
    String call = "Nova POST /servers/" + serverId + "/action os-stop";
    ActionResponse response = act(call, () -> os.compute().servers().action(serverId, Action.STOP));
    if (response.isSuccess()) {
      log.info("Asked Nova to stop server {}", serverId);
      return true;
    }
    if (response.getCode() == 409) {
      log.info("{} conflicted ({}); reading the server again", call, response.getFault());
      return false;
    }
    throw CloudFailures.of(new OpenStackApiException(call, response.getCode(), response.getFault()));
  }

  private static ActionResponse act(String call, Supplier<ActionResponse> action) {
    try {
      return Objects.requireNonNull(action.get(), "no answer");
    } catch (ResponseException e) {
      throw CloudFailures.of(call, e);
    }
  }

  private static boolean rebooting(Server server) {
    return server.getStatus() == Server.Status.REBOOT || server.getStatus() == Server.Status.HARD_REBOOT
        || (server.getTaskState() != null && server.getTaskState().startsWith("reboot"));
  }

  private static boolean stoppable(Server server) {
    return (server.getStatus() == Server.Status.ACTIVE || server.getStatus() == Server.Status.ERROR)
        && server.getTaskState() == null;
  }

  private static ApplicationFailure busy(String serverId, Server server, String action) {
    return CloudFailures.transientFailure(CloudFailures.SERVER_BUSY, "server " + serverId + " is "
        + status(server) + describeTask(server) + "; not sending a " + action + " until that ends");
  }

  static String describeTask(Server server) {
    return server.getTaskState() == null ? "" : " (" + server.getTaskState() + ")";
  }

  /** Addresses of the server on every network. */
  static List<String> addresses(Server server) {
    if (server.getAddresses() == null || server.getAddresses().getAddresses() == null) {
      return List.of();
    }
    return server.getAddresses().getAddresses().values().stream()
        .flatMap(List::stream).map(Address::getAddr)
        .filter(Objects::nonNull).toList();
  }
}
