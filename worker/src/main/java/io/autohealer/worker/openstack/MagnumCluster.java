package io.autohealer.worker.openstack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The parts of a Magnum cluster the healer reads ({@code GET /v1/clusters/{ident}}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MagnumCluster(
    String uuid,
    String name,
    String status,
    @JsonProperty("status_reason") String statusReason,
    @JsonProperty("stack_id") String stackId,
    @JsonProperty("node_count") int nodeCount,
    @JsonProperty("master_count") int masterCount,
    Map<String, String> labels,
    @JsonProperty("health_status") String healthStatus,
    @JsonProperty("health_status_reason") JsonNode healthStatusReason) {

  private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

  public MagnumCluster {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    status = status == null ? "" : status;
  }

  /** The label {@code auto_healing_enabled}, read as Go's strconv.ParseBool reads it. */
  public boolean autoHealingEnabled() {
    return TRUE.contains(labels.getOrDefault("auto_healing_enabled", ""));
  }

  /** Go's strconv.ParseBool: empty for null or anything it would not parse. */
  public static Optional<Boolean> parseGoBool(String value) {
    if (value == null) {
      return Optional.empty();
    }
    if (TRUE.contains(value)) {
      return Optional.of(true);
    }
    return FALSE.contains(value) ? Optional.of(false) : Optional.empty();
  }

  public boolean inProgress() {
    return status.endsWith("_IN_PROGRESS");
  }

  public boolean complete() {
    return status.endsWith("_COMPLETE");
  }

  public boolean failed() {
    return status.endsWith("_FAILED");
  }
}
