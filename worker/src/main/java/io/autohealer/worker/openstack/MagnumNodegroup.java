package io.autohealer.worker.openstack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collection;
import java.util.List;

/**
 * A Magnum nodegroup. {@code nodeAddresses} is empty in list answers: only {@code GET
 * .../nodegroups/{ident}} carries it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MagnumNodegroup(
    String uuid,
    String name,
    String role,
    String status,
    @JsonProperty("node_count") int nodeCount,
    @JsonProperty("min_node_count") Integer minNodeCount,
    @JsonProperty("max_node_count") Integer maxNodeCount,
    @JsonProperty("is_default") boolean isDefault,
    @JsonProperty("node_addresses") List<String> nodeAddresses) {

  public MagnumNodegroup {
    nodeAddresses = nodeAddresses == null ? List.of() : List.copyOf(nodeAddresses);
  }

  public boolean isMaster() {
    return "master".equals(role);
  }

  public boolean hasAnyAddress(Collection<String> addresses) {
    return addresses.stream().anyMatch(nodeAddresses::contains);
  }
}
