package io.autohealer.worker.openstack;

import io.autohealer.workflows.activities.CloudActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
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
import org.openstack4j.model.compute.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CloudActivities} on Nova (openstack4j) and Magnum ({@link MagnumApi}). Each method reads
 * the world before it acts, so a retried attempt never stops or resizes twice.
 */
public final class CloudActivitiesImpl implements CloudActivities {
  private static final Logger log = LoggerFactory.getLogger(CloudActivitiesImpl.class);
  private static final Duration DEFAULT_POLL = Duration.ofSeconds(10);
  private static final Duration MIN_POLL = Duration.ofMillis(10);
  /**
   * Magnum picks an accepted resize up asynchronously: right after it, the cluster can still show
   * the previous *_COMPLETE. So *_COMPLETE with the removed server still present only counts as the
   * end after this many polls in a row.
   */
  private static final int COMPLETE_POLLS_BEFORE_GIVING_UP_ON_REMOVAL = 3;

  /** Heartbeat details of replaceWorker once Magnum accepted the resize. */
  public record ResizeAccepted(String cluster, String serverId, String nodegroup, int nodeCount) {}

  private final OpenStackSession session;
  private final MagnumApi magnum;

  public CloudActivitiesImpl(OpenStackSession session) {
    this.session = Objects.requireNonNull(session, "session");
    this.magnum = new MagnumApi();
  }

  @Override
  public ShutOffResult shutOffServer(ShutOff request) {
    return guarded(() -> shutOff(request.serverId(), poll(request.pollInterval())));
  }

  @Override
  public ReplaceResult replaceWorker(ReplaceWorker request) {
    return guarded(() -> replace(request));
  }

  @Override
  public ClusterUpdateResult awaitClusterUpdate(AwaitClusterUpdate request) {
    return guarded(() -> awaitUpdate(request.cluster(), request.removedServerId(), poll(request.pollInterval())));
  }

  private ShutOffResult shutOff(String serverId, Duration poll) {
    OSClientV3 os = session.client();
    Server server = server(os, serverId);
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
      heartbeat("server " + serverId + " is " + server.getStatus() + describeTask(server));
      sleep(poll);
      server = server(os, serverId);
      if (server == null) {
        return new ShutOffResult("DELETED", false);
      }
      if (server.getStatus() == Server.Status.SHUTOFF) {
        log.info("Server {} is SHUTOFF", serverId);
        return new ShutOffResult("SHUTOFF", false);
      }
    }
  }

  /** Sends os-stop; false when Nova answered 409 (its state changed under us: read it again). */
  private boolean requestStop(OSClientV3 os, String serverId) {
    String call = "Nova POST /servers/" + serverId + "/action os-stop";
    ActionResponse response;
    try {
      response = os.compute().servers().action(serverId, Action.STOP);
    } catch (ResponseException e) {
      throw CloudFailures.of(call, e);
    }
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
    Server server = server(os, request.serverId());
    Set<String> addresses = new LinkedHashSet<>(
        request.nodeAddresses() == null ? List.of() : request.nodeAddresses());
    if (server != null) {
      addresses.addAll(addresses(server));
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

  private ClusterUpdateResult awaitUpdate(String clusterId, String removedServerId, Duration poll) {
    OSClientV3 os = session.client();
    int completePolls = 0;
    while (true) {
      MagnumCluster cluster = requireCluster(clusterId);
      if (cluster.failed()) {
        throw CloudFailures.permanent(CloudFailures.CLUSTER_UPDATE_FAILED, "cluster " + clusterId
            + " update ended " + cluster.status() + ": " + cluster.statusReason());
      }
      if (cluster.complete()) {
        boolean gone = removedServerId == null || server(os, removedServerId) == null;
        if (gone || ++completePolls >= COMPLETE_POLLS_BEFORE_GIVING_UP_ON_REMOVAL) {
          log.info("Cluster {} is {}; removed server {} {}", clusterId, cluster.status(),
              removedServerId, gone ? "is gone" : "STILL EXISTS");
          return new ClusterUpdateResult(cluster.status(), gone);
        }
      } else {
        completePolls = 0;
      }
      heartbeat("cluster " + clusterId + " is " + cluster.status());
      sleep(poll);
    }
  }

  private MagnumCluster requireCluster(String clusterId) {
    return magnum.cluster(clusterId).orElseThrow(() -> CloudFailures.permanent(
        CloudFailures.CLUSTER_NOT_FOUND, "Magnum does not know cluster " + clusterId
            + " (check cluster-name and the project of the credentials)"));
  }

  /** The server, or null when Nova does not know it (openstack4j maps 404 to null). */
  private static Server server(OSClientV3 os, String serverId) {
    try {
      return os.compute().servers().get(serverId);
    } catch (ResponseException e) {
      throw CloudFailures.of("Nova GET /servers/" + serverId, e);
    }
  }

  private static boolean stoppable(Server server) {
    return (server.getStatus() == Server.Status.ACTIVE || server.getStatus() == Server.Status.ERROR)
        && server.getTaskState() == null;
  }

  private static List<String> addresses(Server server) {
    if (server.getAddresses() == null || server.getAddresses().getAddresses() == null) {
      return List.of();
    }
    return server.getAddresses().getAddresses().values().stream()
        .flatMap(List::stream).map(Address::getAddr).filter(Objects::nonNull).toList();
  }

  private static String describeTask(Server server) {
    return server.getTaskState() == null ? "" : " (" + server.getTaskState() + ")";
  }

  private static void heartbeat(Object details) {
    Activity.getExecutionContext().heartbeat(details);
  }

  private static Duration poll(Duration requested) {
    if (requested == null || requested.isZero() || requested.isNegative()) {
      return DEFAULT_POLL;
    }
    return requested.compareTo(MIN_POLL) < 0 ? MIN_POLL : requested;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CloudFailures.transientFailure(CloudFailures.UNAVAILABLE, "interrupted while waiting");
    }
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

  // --- Placeholders so that the worker module compiles against the full-repair contract while
  // the cloud side is written on its own branch (os-full); drop this block when merging it. ---

  @Override
  public GateResult checkGate(CheckGate request) {
    throw notYet("checkGate");
  }

  @Override
  public ServerState describeServer(DescribeServer request) {
    throw notYet("describeServer");
  }

  @Override
  public RebootResult rebootServer(RebootServer request) {
    throw notYet("rebootServer");
  }

  @Override
  public DetachResult detachVolumes(DetachVolumes request) {
    throw notYet("detachVolumes");
  }

  @Override
  public ServerDeleted forceDeleteServer(ForceDeleteServer request) {
    throw notYet("forceDeleteServer");
  }

  @Override
  public MarkResult markMasterUnhealthy(MarkMasterUnhealthy request) {
    throw notYet("markMasterUnhealthy");
  }

  @Override
  public StackUpdateResult updateStack(UpdateStack request) {
    throw notYet("updateStack");
  }

  private static ApplicationFailure notYet(String activity) {
    return ApplicationFailure.newNonRetryableFailure(activity + " is not implemented in this build", "NotImplemented");
  }
}
