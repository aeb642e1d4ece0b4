package io.autohealer.simulator.openstack;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** One Magnum nodegroup of a {@link SimulatedCluster}; guarded by the cluster's monitor. */
public final class SimNodegroup {
  private final String uuid = UUID.randomUUID().toString();
  private final String name;
  private final String role;
  private final boolean isDefault;
  private final int minNodeCount;
  private final Integer maxNodeCount;
  private final String stackId = UUID.randomUUID().toString();
  private final List<String> serverIds = new ArrayList<>();
  private int nodeCount;
  private int nextIndex;
  private String status = "CREATE_COMPLETE";
  private String statusReason = "Stack CREATE completed successfully";
  private boolean bootFromVolume;

  SimNodegroup(String name, String role, boolean isDefault, int minNodeCount, Integer maxNodeCount) {
    this.name = name;
    this.role = role;
    this.isDefault = isDefault;
    this.minNodeCount = minNodeCount;
    this.maxNodeCount = maxNodeCount;
  }

  public String uuid() {
    return uuid;
  }

  public String name() {
    return name;
  }

  /** "master" or "worker", as Magnum names the roles. */
  public String role() {
    return role;
  }

  public boolean isDefault() {
    return isDefault;
  }

  public int minNodeCount() {
    return minNodeCount;
  }

  /** The maximum, or null when unbounded. */
  public Integer maxNodeCount() {
    return maxNodeCount;
  }

  public String stackId() {
    return stackId;
  }

  public int nodeCount() {
    return nodeCount;
  }

  public String status() {
    return status;
  }

  public String statusReason() {
    return statusReason;
  }

  /** Whether its servers boot from a Heat-managed Cinder volume (Magnum's boot_volume_size). */
  public boolean bootFromVolume() {
    return bootFromVolume;
  }

  void setBootFromVolume(boolean bootFromVolume) {
    this.bootFromVolume = bootFromVolume;
  }

  /** The servers that currently belong to this nodegroup, oldest first. */
  public List<String> serverIds() {
    return List.copyOf(serverIds);
  }

  List<String> mutableServerIds() {
    return serverIds;
  }

  boolean matches(String uuidOrName) {
    return uuid.equals(uuidOrName) || name.equals(uuidOrName);
  }

  int takeIndex() {
    return nextIndex++;
  }

  void setNodeCount(int nodeCount) {
    this.nodeCount = nodeCount;
  }

  void setStatus(String status, String statusReason) {
    this.status = status;
    this.statusReason = statusReason;
  }
}
