package io.autohealer.worker.openstack;

import io.autohealer.workflows.activities.CloudActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.storage.block.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CloudActivities} on Nova and Cinder (openstack4j, {@link NovaServers}), Magnum ({@link
 * MagnumApi}) and Heat ({@link HeatStacks}). Each method reads the world before it acts, so a
 * retried attempt never reboots, stops, resizes or updates twice.
 */
public final class CloudActivitiesImpl implements CloudActivities {
  private static final Logger log = LoggerFactory.getLogger(CloudActivitiesImpl.class);
  /**
   * Magnum and Heat pick an accepted request up asynchronously: right after it, the cluster can
   * still show the previous *_COMPLETE. So *_COMPLETE with the removed server still present only
   * counts as the end after this many polls in a row.
   */
  private static final int COMPLETE_POLLS_BEFORE_GIVING_UP_ON_REMOVAL = 3;
  static final String LABEL = "auto_healing_enabled";

  /** Heartbeat details of replaceWorker once Magnum accepted the resize. */
  public record ResizeAccepted(String cluster, String serverId, String nodegroup, int nodeCount) {}

  /** Heartbeat details of rebootServer once Nova accepted the reboot. */
  public record RebootSent(String serverId) {}

  /** Heartbeat details of updateStack once Heat accepted the update. */
  public record StackUpdateSent(String cluster, String stackId, String stackName) {}

  private final OpenStackSession session;
  private final MagnumApi magnum;
  private final NovaServers nova;
  private final HeatStacks heat;

  public CloudActivitiesImpl(OpenStackSession session) {
    this.session = Objects.requireNonNull(session, "session");
    this.magnum = new MagnumApi();
    this.nova = new NovaServers();
    this.heat = new HeatStacks();
  }

  @Override
  public GateResult checkGate(CheckGate request) {
    return guarded(() -> gate(request.cluster()));
  }

  @Override
  public ServerState describeServer(DescribeServer request) {
    return guarded(() -> {
      Server server = nova.get(session.client(), request.serverId());
      return new ServerState(server != null, NovaServers.status(server));
    });
  }

  @Override
  public RebootResult rebootServer(RebootServer request) {
    return guarded(() -> nova.reboot(session.client(), request.serverId()));
  }

  @Override
  public DetachResult detachVolumes(DetachVolumes request) {
    return guarded(() -> nova.detach(session.client(), request.serverId(), request.keep(),
        Waits.poll(request.pollInterval())));
  }

  @Override
  public ShutOffResult shutOffServer(ShutOff request) {
    return guarded(() -> nova.shutOff(session.client(), request.serverId(), Waits.poll(request.pollInterval())));
  }

  @Override
  public ServerDeleted forceDeleteServer(ForceDeleteServer request) {
    return guarded(() -> nova.forceDelete(session.client(), request.serverId()));
  }

  @Override
  public ReplaceResult replaceWorker(ReplaceWorker request) {
    return guarded(() -> replace(request));
  }

  @Override
  public MarkResult markMasterUnhealthy(MarkMasterUnhealthy request) {
    return guarded(() -> markMaster(request.cluster(), request.serverId()));
  }

  @Override
  public StackUpdateResult updateStack(UpdateStack request) {
    return guarded(() -> update(request.cluster()));
  }

  @Override
  public ClusterUpdateResult awaitClusterUpdate(AwaitClusterUpdate request) {
    return guarded(() -> awaitUpdate(request.cluster(), request.removedServerId(),
        Waits.poll(request.pollInterval())));
  }

  /**
   * The Go service's Enabled(): the label, then the cluster status, then the Heat stack. A closed
   * gate is an answer, not a failure; only a cluster Magnum does not know fails (permanently).
   */
  private GateResult gate(String clusterId) {
    session.client();
    MagnumCluster cluster = requireCluster(clusterId);
    String name = cluster.name() == null ? clusterId : cluster.name();
    String status = cluster.status();
    String label = cluster.labels().get(LABEL);
    Optional<Boolean> enabled = MagnumCluster.parseGoBool(label);
    if (!enabled.orElse(false)) {
      String why = label == null ? "cluster " + name + " has no such label"
          : enabled.isEmpty() ? "\"" + label + "\" is not a boolean" : "it is \"" + label + "\"";
      return closed("label " + LABEL + " is not true (" + why + ")", status, null);
    }
    if (!cluster.complete()) {
      return closed("cluster " + name + " is " + status + reason(cluster.statusReason(), cluster.failed()),
          status, null);
    }
    if (cluster.stackId() == null || cluster.stackId().isBlank()) {
      return closed("cluster " + name + " has no Heat stack (stack_id is empty)", status, null);
    }
    Optional<HeatStack> stack = heat.of(cluster);
    if (stack.isEmpty()) {
      return closed("Heat stack " + cluster.stackId() + " of cluster " + name + " does not exist", status, null);
    }
    HeatStack s = stack.get();
    if (s.blocksRepairs()) {
      return closed("Heat stack " + s.name() + " of cluster " + name + " is " + s.status()
          + reason(s.statusReason(), s.failed()), status, s.status());
    }
    return new GateResult(true, null, status, s.status());
  }

  private static GateResult closed(String reason, String clusterStatus, String stackStatus) {
    log.info("Repairs may not act now: {}", reason);
    return new GateResult(false, reason, clusterStatus, stackStatus);
  }

  private static String reason(String statusReason, boolean failed) {
    return failed && statusReason != null && !statusReason.isBlank() ? ": " + statusReason : "";
  }

  private ReplaceResult replace(ReplaceWorker request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Optional<ResizeAccepted> earlier = context.getHeartbeatDetails(ResizeAccepted.class)
        .filter(d -> d.serverId().equals(request.serverId()) && d.cluster().equals(request.cluster()));
    if (earlier.isPresent()) {
      log.info("An earlier attempt's resize of {} for server {} was accepted; not sending another",
          earlier.get().nodegroup(), request.serverId());
      return new ReplaceResult(earlier.get().nodegroup(), earlier.get().nodeCount(), true);
    }
    OSClientV3 os = session.client();
    MagnumCluster cluster = requireCluster(request.cluster());
    Server server = nova.get(os, request.serverId());
    Set<String> addresses = new LinkedHashSet<>(
        request.nodeAddresses() == null ? List.of() : request.nodeAddresses());
    if (server != null) {
      addresses.addAll(NovaServers.addresses(server));
    }
    Optional<MagnumNodegroup> nodegroup = findNodegroup(request.cluster(), request.nodegroup(), addresses);
    if (server == null) {
      log.info("Server {} no longer exists: its replacement was already asked for", request.serverId());
      return new ReplaceResult(nodegroup.map(MagnumNodegroup::name).orElse(request.nodegroup()),
          nodegroup.map(MagnumNodegroup::nodeCount).orElse(0), true);
    }
    if (cluster.inProgress()) {
      throw CloudFailures.transientFailure(CloudFailures.CLUSTER_BUSY, "cluster " + request.cluster()
          + " is " + cluster.status() + "; not sending a resize for server " + request.serverId()
          + " until it settles");
    }
    MagnumNodegroup ng = nodegroup.orElseThrow(() -> CloudFailures.permanent(
        CloudFailures.NODEGROUP_NOT_FOUND, "no worker nodegroup of cluster " + request.cluster()
            + " lists any address of server " + request.serverId() + " " + addresses
            + "; not resizing a guessed nodegroup"));
    if (ng.isMaster()) {
      throw CloudFailures.permanent(CloudFailures.REJECTED, "server " + request.serverId()
          + " belongs to master nodegroup " + ng.name() + "; Magnum cannot replace masters by resize");
    }
    if (!ng.hasAnyAddress(addresses)) {
      log.info("Server {} is no longer in nodegroup {}: its replacement was already asked for",
          request.serverId(), ng.name());
      return new ReplaceResult(ng.name(), ng.nodeCount(), true);
    }
    magnum.resize(request.cluster(), ng.name(), ng.nodeCount(), List.of(request.serverId()));
    context.heartbeat(new ResizeAccepted(request.cluster(), request.serverId(), ng.name(), ng.nodeCount()));
    log.info("Magnum accepted the resize of {} in cluster {} (node_count {} unchanged, removing {})",
        ng.name(), request.cluster(), ng.nodeCount(), request.serverId());
    return new ReplaceResult(ng.name(), ng.nodeCount(), false);
  }

  /**
   * The nodegroup by name when the node's label gives it; otherwise, as the Go healer does, the
   * first worker nodegroup whose node_addresses hold one of the node's addresses (the list answer
   * has no addresses, so each nodegroup is read).
   */
  private Optional<MagnumNodegroup> findNodegroup(String cluster, String name, Set<String> addresses) {
    if (name != null && !name.isBlank()) {
      return Optional.of(magnum.nodegroup(cluster, name).orElseThrow(() -> CloudFailures.permanent(
          CloudFailures.NODEGROUP_NOT_FOUND, "nodegroup " + name + " does not exist in cluster " + cluster)));
    }
    for (MagnumNodegroup summary : magnum.nodegroups(cluster)) {
      if (summary.isMaster()) {
        continue;
      }
      Optional<MagnumNodegroup> full = magnum.nodegroup(cluster, summary.uuid());
      if (full.isPresent() && full.get().hasAnyAddress(addresses)) {
        return full;
      }
    }
    return Optional.empty();
  }

  /**
   * Marks the master's server resource unhealthy in the nested stack that holds it, and its boot
   * volume's resource too when Heat manages that volume (a boot volume Nova created from a block
   * device mapping is no Heat resource, and goes with the server). Resources already CHECK_FAILED
   * are not marked again.
   */
  private MarkResult markMaster(String clusterId, String serverId) {
    OSClientV3 os = session.client();
    MagnumCluster cluster = requireCluster(clusterId);
    HeatStack stack = heat.require(cluster, clusterId);
    List<HeatResource> resources = heat.resources(stack);
    HeatResource server = HeatStacks.server(resources, serverId).orElseThrow(() -> CloudFailures.permanent(
        CloudFailures.NOT_IN_STACK, "server " + serverId + " is no " + HeatResource.NOVA_SERVER
            + " resource of stack " + stack.name() + " of cluster " + clusterId
            + " (nested_depth " + HeatStacks.NESTED_DEPTH + "); is it a master of this cluster?"));
    List<String> marked = new ArrayList<>();
    // The volume first, as the Go healer does: a server rebuilt without its volume marked would
    // try to boot from the old, still attached volume.
    for (HeatResource volume : bootVolumeResources(os, serverId, server, resources)) {
      marked.add(heat.mark(volume));
    }
    marked.add(heat.mark(server));
    log.info("Marked {} unhealthy in stack {} of cluster {}", marked, stack.name(), clusterId);
    return new MarkResult(marked);
  }

  /** The Heat resources of the server's boot volume: none when it boots from an image. */
  private List<HeatResource> bootVolumeResources(
      OSClientV3 os, String serverId, HeatResource server, List<HeatResource> resources) {
    Optional<NovaServers.Volumes> volumes = nova.volumes(os, serverId);
    if (volumes.isPresent()) {
      String bootVolumeId = volumes.get().bootVolumeId();
      if (bootVolumeId == null) {
        return List.of();
      }
      List<HeatResource> found = resources.stream()
          .filter(r -> r.isVolume() && bootVolumeId.equals(r.physicalId())).toList();
      if (found.isEmpty()) {
        log.info("Boot volume {} of server {} is no Heat resource; nothing to mark for it", bootVolumeId, serverId);
      }
      return found;
    }
    // The server is gone already (force-deleted): the bootable volumes of its own nested stack.
    List<HeatResource> found = new ArrayList<>();
    for (HeatResource r : resources) {
      if (r.isVolume() && r.physicalId() != null && r.inStack(server.stackName(), server.stackId())) {
        Volume volume = nova.cinderVolume(os, r.physicalId());
        if (volume != null && volume.bootable()) {
          found.add(r);
        }
      }
    }
    return found;
  }

  /**
   * Sends one stack update (PATCH {}) for the marks of this repair. Not sent when an earlier
   * attempt's update was accepted (heartbeat details) or when no resource is marked any more (an
   * earlier update already rebuilt them); both answer alreadyInProgress=true. While any other
   * operation runs on the stack it fails transiently and is retried: that update may be another
   * repair's resize, which need not rebuild this repair's marks, or this repair's own whose answer
   * was lost; once it settles, the marks tell which.
   */
  private StackUpdateResult update(String clusterId) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Optional<StackUpdateSent> earlier = context.getHeartbeatDetails(StackUpdateSent.class)
        .filter(d -> d.cluster().equals(clusterId));
    if (earlier.isPresent()) {
      log.info("An earlier attempt's update of stack {} was accepted; not sending another",
          earlier.get().stackName());
      return new StackUpdateResult(earlier.get().stackName(), true);
    }
    session.client();
    MagnumCluster cluster = requireCluster(clusterId);
    HeatStack stack = heat.require(cluster, clusterId);
    if (stack.inProgress()) {
      throw stackBusy(stack, clusterId);
    }
    List<String> marked = heat.resources(stack).stream()
        .filter(HeatResource::markedUnhealthy).map(HeatResource::describe).toList();
    if (marked.isEmpty()) {
      log.info("No resource of stack {} is marked unhealthy (an earlier update rebuilt them); "
          + "not sending a stack update", stack.name());
      return new StackUpdateResult(stack.name(), true);
    }
    try {
      heat.api().update(stack);
    } catch (OpenStackApiException e) {
      if (e.status() != 409) {
        throw e;
      }
      throw stackBusy(heat.require(cluster, clusterId), clusterId);
    }
    context.heartbeat(new StackUpdateSent(clusterId, stack.id(), stack.name()));
    log.info("Heat accepted the update of stack {} of cluster {}, which rebuilds {}", stack.name(), clusterId, marked);
    return new StackUpdateResult(stack.name(), false);
  }

  private static ApplicationFailure stackBusy(HeatStack stack, String clusterId) {
    return CloudFailures.transientFailure(CloudFailures.STACK_BUSY, "stack " + stack.name() + " of cluster "
        + clusterId + " is " + stack.status() + "; not sending an update until it settles");
  }

  /**
   * Waits until Magnum and Heat both show the update finished and the removed server is gone:
   * from Nova, and (for a master, which Heat replaces under the same name) from the stack's
   * resources. Heat shows an update at once, Magnum only at its next sync, so both are read.
   */
  private ClusterUpdateResult awaitUpdate(String clusterId, String removedServerId, Duration poll) {
    OSClientV3 os = session.client();
    int completePolls = 0;
    while (true) {
      MagnumCluster cluster = requireCluster(clusterId);
      if (cluster.failed()) {
        throw updateFailed(clusterId, cluster.status(), cluster.statusReason());
      }
      String waitingFor = "cluster " + clusterId + " is " + cluster.status();
      if (cluster.complete()) {
        Optional<HeatStack> stack = heat.of(cluster);
        if (stack.isPresent() && stack.get().failed()) {
          throw updateFailed(clusterId, "stack " + stack.get().name() + " " + stack.get().status(),
              stack.get().statusReason());
        }
        if (stack.isPresent() && stack.get().inProgress()) {
          waitingFor = "stack " + stack.get().name() + " is " + stack.get().status();
          completePolls = 0;
        } else {
          boolean novaGone = removedServerId == null || nova.get(os, removedServerId) == null;
          boolean heatGone = removedServerId == null || stack.isEmpty()
              || HeatStacks.server(heat.resources(stack.get()), removedServerId).isEmpty();
          if ((novaGone && heatGone) || ++completePolls >= COMPLETE_POLLS_BEFORE_GIVING_UP_ON_REMOVAL) {
            log.info("Cluster {} is {}; removed server {} {}", clusterId, cluster.status(), removedServerId,
                novaGone ? "is gone" : "STILL EXISTS");
            if (novaGone && !heatGone) {
              log.warn("Server {} is gone from Nova but stack {} still holds it: no update replaced it",
                  removedServerId, stack.get().name());
            }
            return new ClusterUpdateResult(cluster.status(), novaGone);
          }
          waitingFor = "server " + removedServerId + " is still " + (novaGone ? "in the stack" : "in Nova");
        }
      } else {
        completePolls = 0;
      }
      Waits.heartbeat(waitingFor);
      Waits.sleep(poll);
    }
  }

  private static ApplicationFailure updateFailed(String clusterId, String what, String reason) {
    return CloudFailures.permanent(CloudFailures.CLUSTER_UPDATE_FAILED, "cluster " + clusterId
        + " update ended " + what + ": " + reason);
  }

  private MagnumCluster requireCluster(String clusterId) {
    return magnum.cluster(clusterId).orElseThrow(() -> CloudFailures.permanent(
        CloudFailures.CLUSTER_NOT_FOUND, "Magnum does not know cluster " + clusterId
            + " (check cluster-name and the project of the credentials)"));
  }

  /** Maps whatever OpenStack threw into a failure that says what was called and what came back. */
  private static <T> T guarded(Supplier<T> body) {
    try {
      return body.get();
    } catch (ApplicationFailure e) {
      throw e;
    } catch (OpenStackApiException e) {
      throw CloudFailures.of(e);
    } catch (MissingServiceException e) {
      throw CloudFailures.of(e);
    } catch (ResponseException e) {
      throw CloudFailures.of("OpenStack", e);
    }
  }
}
