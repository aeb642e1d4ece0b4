package io.autohealer.simulator.openstack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Describes a cluster to create: {@code sim.newCluster("k8s").masters(3).workers(3).create()}.
 * Labels default to {@code auto_healing_enabled=true}; every server starts ACTIVE and healthy.
 */
public final class ClusterBuilder {
  /** An extra worker nodegroup. */
  record ExtraNodegroup(String name, int count) {}

  private final String name;
  private final Function<ClusterBuilder, SimulatedCluster> creator;
  private String uuid = UUID.randomUUID().toString();
  private int masters = 1;
  private int workers = 1;
  private int minWorkers = 0;
  private Integer maxWorkers;
  private final Map<String, String> labels = new LinkedHashMap<>(Map.of("auto_healing_enabled", "true"));
  private final List<ExtraNodegroup> extraNodegroups = new ArrayList<>();
  private final Set<String> bootFromVolume = new HashSet<>();

  ClusterBuilder(String name, Function<ClusterBuilder, SimulatedCluster> creator) {
    this.name = Objects.requireNonNull(name);
    this.creator = creator;
  }

  public ClusterBuilder uuid(String uuid) {
    this.uuid = UUID.fromString(uuid).toString();
    return this;
  }

  public ClusterBuilder masters(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("a cluster needs at least one master");
    }
    this.masters = count;
    return this;
  }

  public ClusterBuilder workers(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("workers must be >= 0");
    }
    this.workers = count;
    return this;
  }

  /** Bounds of the default-worker nodegroup (min_node_count, max_node_count; null = none). */
  public ClusterBuilder workerBounds(int min, Integer max) {
    this.minWorkers = min;
    this.maxWorkers = max;
    return this;
  }

  public ClusterBuilder label(String key, String value) {
    labels.put(key, value);
    return this;
  }

  public ClusterBuilder withoutLabel(String key) {
    labels.remove(key);
    return this;
  }

  /**
   * The servers of this role ("master" or "worker") boot from a bootable Cinder volume that their
   * nested Heat stack manages (kube_master_volume / kube_node_volume), as with Magnum's
   * boot_volume_size label; replacements do too.
   */
  public ClusterBuilder bootFromVolume(String role) {
    if (!role.equals("master") && !role.equals("worker")) {
      throw new IllegalArgumentException("role must be master or worker, got " + role);
    }
    bootFromVolume.add(role);
    return this;
  }

  /** Adds a worker nodegroup besides default-worker. */
  public ClusterBuilder nodegroup(String ngName, int count) {
    extraNodegroups.add(new ExtraNodegroup(ngName, count));
    return this;
  }

  public SimulatedCluster create() {
    return creator.apply(this);
  }

  String name() {
    return name;
  }

  String uuid() {
    return uuid;
  }

  int masters() {
    return masters;
  }

  int workers() {
    return workers;
  }

  int minWorkers() {
    return minWorkers;
  }

  Integer maxWorkers() {
    return maxWorkers;
  }

  Map<String, String> labels() {
    return labels;
  }

  boolean bootsFromVolume(String role) {
    return bootFromVolume.contains(role);
  }

  List<ExtraNodegroup> extraNodegroups() {
    return extraNodegroups;
  }
}
