package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * A Magnum cluster of the simulator: its status, labels, health and nodegroups. Build one with
 * {@link OpenStackSimulator#newCluster}. Thread-safe: everything is guarded by this object.
 */
public final class SimulatedCluster {
  private final String uuid;
  private final String name;
  private final String stackId = UUID.randomUUID().toString();
  private final String stackName;
  private final Map<String, String> labels;
  private final Map<String, SimNodegroup> nodegroups = new LinkedHashMap<>();
  private final Instant createdAt = Instant.now();
  private Instant updatedAt = createdAt;
  private String status = "CREATE_COMPLETE";
  private String statusReason = "Stack CREATE completed successfully";
  private String healthStatus = "UNKNOWN";
  private ObjectNode healthStatusReason = Json.object();
  private String healthStatusReasonText;
  private String stackStatus = "CREATE_COMPLETE";
  private String stackStatusReason = "Stack CREATE completed successfully";
  private int updatesInFlight;
  /** Updates accepted through the API that the conductor has not picked up yet. */
  private int updatesAccepted;
  private String nextUpdateFailure;

  SimulatedCluster(String uuid, String name, Map<String, String> labels) {
    this.uuid = uuid;
    this.name = name;
    this.stackName = name + "-" + uuid.substring(0, 6);
    this.labels = Map.copyOf(labels);
  }

  public String uuid() {
    return uuid;
  }

  public String name() {
    return name;
  }

  public String stackId() {
    return stackId;
  }

  public String stackName() {
    return stackName;
  }

  public Map<String, String> labels() {
    return labels;
  }

  public synchronized String status() {
    return status;
  }

  public synchronized String statusReason() {
    return statusReason;
  }

  /** The Heat stack's status: an update shows here at once, in Magnum only when it syncs. */
  public synchronized String stackStatus() {
    return stackStatus;
  }

  synchronized String stackStatusReason() {
    return stackStatusReason;
  }

  synchronized void stackUpdateAccepted() {
    updatesAccepted++;
    stackStatus = "UPDATE_IN_PROGRESS";
    stackStatusReason = "Stack UPDATE started";
  }

  public synchronized String healthStatus() {
    return healthStatus;
  }

  public synchronized Instant updatedAt() {
    return updatedAt;
  }

  public synchronized List<SimNodegroup> nodegroups() {
    return List.copyOf(nodegroups.values());
  }

  public synchronized Optional<SimNodegroup> nodegroup(String uuidOrName) {
    return nodegroups.values().stream().filter(ng -> ng.matches(uuidOrName)).findFirst();
  }

  /** The current servers of every nodegroup with this role ("master" or "worker"). */
  public synchronized List<String> serverIds(String role) {
    List<String> ids = new ArrayList<>();
    nodegroups.values().stream().filter(ng -> ng.role().equals(role))
        .forEach(ng -> ids.addAll(ng.serverIds()));
    return ids;
  }

  public List<String> masterIds() {
    return serverIds("master");
  }

  public List<String> workerIds() {
    return serverIds("worker");
  }

  /**
   * Whether an update asked for through the API (a resize, a stack update) is under way: then an
   * in-progress status is that update's, not one set from outside with {@link #setStatus}.
   */
  public synchronized boolean updateUnderWay() {
    return updatesAccepted > 0 || updatesInFlight > 0;
  }

  /** Sets the status directly, e.g. to test a gate that must stay closed. */
  public synchronized void setStatus(String status, String reason) {
    this.status = Objects.requireNonNull(status);
    this.statusReason = reason;
    this.updatedAt = Instant.now();
  }

  /** Sets the Heat stack's status directly (Magnum's stays as it is), e.g. to test the gate. */
  public synchronized void setStackStatus(String status, String reason) {
    this.stackStatus = Objects.requireNonNull(status);
    this.stackStatusReason = reason;
  }

  /** The next cluster update (resize or stack update) ends UPDATE_FAILED with this reason. */
  public synchronized void failNextUpdate(String reason) {
    this.nextUpdateFailure = Objects.requireNonNull(reason);
  }

  synchronized boolean matches(String uuidOrName) {
    return uuid.equals(uuidOrName) || name.equals(uuidOrName);
  }

  synchronized void addNodegroup(SimNodegroup ng) {
    nodegroups.put(ng.name(), ng);
  }

  synchronized int count(String role) {
    return nodegroups.values().stream().filter(ng -> ng.role().equals(role))
        .mapToInt(SimNodegroup::nodeCount).sum();
  }

  synchronized Instant createdAt() {
    return createdAt;
  }

  /** The health_status_reason dict as Magnum stores it. */
  public synchronized ObjectNode healthStatusReason() {
    return healthStatusReason.deepCopy();
  }

  /**
   * The health_status_reason exactly as the last applied PATCH sent it (a Python dict literal
   * string, as the Go healer sends it, or JSON when a dict was sent); null before any.
   */
  public synchronized String healthStatusReasonText() {
    return healthStatusReasonText;
  }

  synchronized void setHealth(String status, ObjectNode reason, String reasonText) {
    if (reasonText != null) {
      this.healthStatusReasonText = reasonText;
    }
    setHealth(status, reason);
  }

  synchronized void setHealth(String status, ObjectNode reason) {
    if (status != null) {
      this.healthStatus = status;
    }
    if (reason != null) {
      this.healthStatusReason = reason;
    }
    this.updatedAt = Instant.now();
  }

  /** An update was accepted; the cluster shows it once the conductor picks it up. */
  synchronized void updateStarted(SimNodegroup ng) {
    updatesAccepted = Math.max(0, updatesAccepted - 1);
    updatesInFlight++;
    status = "UPDATE_IN_PROGRESS";
    statusReason = null;
    stackStatus = "UPDATE_IN_PROGRESS";
    updatedAt = Instant.now();
    if (ng != null) {
      ng.setStatus("UPDATE_IN_PROGRESS", null);
    }
  }

  /** Ends one update; the cluster status settles when the last one in flight ends. */
  synchronized void updateFinished(SimNodegroup ng) {
    updatesInFlight = Math.max(0, updatesInFlight - 1);
    String failure = nextUpdateFailure;
    if (failure != null) {
      nextUpdateFailure = null;
    }
    String ngStatus = failure == null ? "UPDATE_COMPLETE" : "UPDATE_FAILED";
    String reason = failure == null ? "Stack UPDATE completed successfully" : failure;
    if (ng != null) {
      ng.setStatus(ngStatus, reason);
    }
    if (updatesInFlight == 0 || failure != null) {
      status = ngStatus;
      statusReason = reason;
      stackStatus = ngStatus;
      stackStatusReason = reason;
    }
    updatedAt = Instant.now();
  }

  synchronized <T> T locked(Function<SimulatedCluster, T> action) {
    return action.apply(this);
  }
}
