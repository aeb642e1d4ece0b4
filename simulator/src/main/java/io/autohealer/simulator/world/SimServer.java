package io.autohealer.simulator.world;

/**
 * One simulated Nova server and the Kubernetes node it runs. Immutable: change it through
 * {@link CloudWorld#update}.
 *
 * @param id Nova uuid (also the node's machine-id and providerID)
 * @param name server name, also the Kubernetes Node name
 * @param role "master" or "worker"
 * @param nodegroup Magnum nodegroup name (default-master, default-worker, ...)
 * @param ip fixed IP, the node's InternalIP
 * @param status Nova status
 * @param fault what is wrong inside it
 */
public record SimServer(
    String id, String name, String role, String nodegroup, String ip, ServerStatus status, NodeFault fault) {

  public SimServer withStatus(ServerStatus s) {
    return new SimServer(id, name, role, nodegroup, ip, s, fault);
  }

  public SimServer withFault(NodeFault f) {
    return new SimServer(id, name, role, nodegroup, ip, status, f);
  }

  /** Whether a kubelet on this server would report Ready. */
  public boolean kubeletHealthy() {
    return status == ServerStatus.ACTIVE && fault == NodeFault.NONE;
  }
}
