package io.autohealer.worker.openstack;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openstack4j.api.types.ServiceType;

/**
 * The Magnum calls openstack4j lacks (its cluster model cannot even be read), made through
 * openstack4j's own session, token, 401 re-authentication and connector. Every call carries a
 * microversion: without one Magnum behaves as 1.1 and refuses resize and nodegroups with 406.
 * Call it on a thread that {@link OpenStackSession#client()} has bound: openstack4j sessions are
 * thread-local.
 */
public final class MagnumApi extends JsonApi {
  static final String MICROVERSION = "container-infra 1.10";

  /** Its endpoint comes from the {@link CatalogTypeResolver} that the session installs. */
  public MagnumApi() {
    super(ServiceType.MAGNUM);
  }

  @Override
  void decorate(Invocation<Void> invocation) {
    invocation.header("OpenStack-API-Version", MICROVERSION);
  }

  /** The cluster by uuid or name; empty when Magnum does not know it. */
  public Optional<MagnumCluster> cluster(String ident) {
    String call = "Magnum GET /clusters/" + ident;
    Reply reply = send(call, get(Void.class, uri("/clusters/%s", ident)));
    if (reply.status() == 404) {
      return Optional.empty();
    }
    expect(call, reply, 200);
    return Optional.of(convert(call, reply.body(), MagnumCluster.class));
  }

  /** The nodegroups of a cluster, without their node_addresses. */
  public List<MagnumNodegroup> nodegroups(String cluster) {
    String call = "Magnum GET /clusters/" + cluster + "/nodegroups";
    Reply reply = send(call, get(Void.class, uri("/clusters/%s/nodegroups", cluster)));
    expect(call, reply, 200);
    return convert(call, reply.body().path("nodegroups"), new TypeReference<List<MagnumNodegroup>>() {});
  }

  /** One nodegroup by uuid or name, with its node_addresses; empty when it does not exist. */
  public Optional<MagnumNodegroup> nodegroup(String cluster, String ident) {
    String call = "Magnum GET /clusters/" + cluster + "/nodegroups/" + ident;
    Reply reply = send(call, get(Void.class, uri("/clusters/%s/nodegroups/%s", cluster, ident)));
    if (reply.status() == 404) {
      return Optional.empty();
    }
    expect(call, reply, 200);
    return Optional.of(convert(call, reply.body(), MagnumNodegroup.class));
  }

  /**
   * Asks Magnum to resize a nodegroup, removing the given servers. Returns the uuid Magnum
   * answers with; throws unless Magnum accepted (202). Accepted is not done: the update runs
   * asynchronously and may still fail.
   */
  public String resize(String cluster, String nodegroup, int nodeCount, List<String> nodesToRemove) {
    String call = "Magnum POST /clusters/" + cluster + "/actions/resize";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node_count", nodeCount);
    body.put("nodes_to_remove", nodesToRemove);
    body.put("nodegroup", nodegroup);
    Reply reply = send(call, post(Void.class, uri("/clusters/%s/actions/resize", cluster)).json(write(body)));
    expect(call, reply, 202);
    return reply.body().path("uuid").asText(null);
  }

  /**
   * Sets the cluster's {@code health_status} and {@code health_status_reason} with one JSON patch,
   * as the Go service does. Magnum answers 202 and applies it asynchronously, only while the
   * cluster is in a *_COMPLETE state; throws unless it accepted.
   */
  public void updateHealth(String cluster, String status, String reason) {
    String call = "Magnum PATCH /clusters/" + cluster;
    List<Map<String, Object>> ops = List.of(
        Map.of("op", "replace", "path", "/health_status", "value", status),
        Map.of("op", "replace", "path", "/health_status_reason", "value", reason));
    Reply reply = send(call, patch(Void.class, uri("/clusters/%s", cluster)).json(write(ops)));
    expect(call, reply, 202, 200);
  }
}
