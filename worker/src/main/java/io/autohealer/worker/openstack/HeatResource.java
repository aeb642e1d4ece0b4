package io.autohealer.worker.openstack;

import java.util.Objects;

/**
 * One row of {@code GET /stacks/{name}/{id}/resources?nested_depth=N}.
 *
 * @param name the logical resource name within its stack (e.g. kube-master)
 * @param physicalId the id of what it created (a Nova server's or Cinder volume's id)
 * @param type e.g. OS::Nova::Server, OS::Cinder::Volume
 * @param status e.g. CREATE_COMPLETE, CHECK_FAILED
 * @param stackName the (nested) stack that holds it, from its {@code stack} link
 * @param stackId that stack's id
 */
public record HeatResource(
    String name, String physicalId, String type, String status, String statusReason,
    String stackName, String stackId) {

  public static final String NOVA_SERVER = "OS::Nova::Server";
  public static final String CINDER_VOLUME = "OS::Cinder::Volume";

  public boolean markedUnhealthy() {
    return "CHECK_FAILED".equals(status);
  }

  public boolean isServer() {
    return NOVA_SERVER.equals(type);
  }

  public boolean isVolume() {
    return CINDER_VOLUME.equals(type);
  }

  public boolean inStack(String name, String id) {
    return Objects.equals(stackName, name) && Objects.equals(stackId, id);
  }

  /** "stack/resource", as a person reads it. */
  public String describe() {
    return stackName + "/" + name;
  }
}
