package io.autohealer.simulator.openstack;

import java.util.List;

/**
 * A call that asked OpenStack to change something (not a read, not a token), after it was answered.
 *
 * @param operation as {@link OpenStackSimulator#calls} names it, e.g. {@code nova.server.reboot}
 * @param serverIds the servers it concerns: the one acted on, the nodes_to_remove of a resize, the
 *     server of a Heat resource marked unhealthy (its own, or the server of the volume's node); empty
 *     for a cluster-wide call such as a stack update
 * @param detail what else it asked, for people (reboot type, node_count, the resource), or empty
 * @param status the HTTP status it was answered with (2xx: accepted)
 */
public record OpenStackAction(String operation, List<String> serverIds, String detail, int status) {
  public boolean accepted() {
    return status >= 200 && status < 300;
  }
}
