package io.autohealer.simulator.openstack;

import java.util.Objects;

/**
 * A real Keystone whose tokens the simulated Nova, Magnum, Heat and Cinder accept instead of the
 * simulator's own: each incoming {@code X-Auth-Token} is validated with {@code GET /v3/auth/tokens}
 * ({@code X-Subject-Token}) under a service user's token, as keystonemiddleware does in front of a
 * real service. The token must be scoped to the simulator account's project.
 *
 * @param authUrl the Keystone v3 URL, e.g. {@code http://127.0.0.1:5000/v3}
 * @param serviceUserId a user allowed to validate tokens (role service, or admin)
 * @param servicePassword that user's password
 * @param serviceProjectId the project the service user's token is scoped to
 */
public record ExternalKeystone(String authUrl, String serviceUserId, String servicePassword,
    String serviceProjectId) {

  public ExternalKeystone {
    Objects.requireNonNull(authUrl, "authUrl");
    Objects.requireNonNull(serviceUserId, "serviceUserId");
    Objects.requireNonNull(servicePassword, "servicePassword");
    Objects.requireNonNull(serviceProjectId, "serviceProjectId");
    authUrl = authUrl.replaceAll("/+$", "");
  }

  @Override
  public String toString() {
    return "ExternalKeystone[" + authUrl + ", service user " + serviceUserId + ", password=****]";
  }
}
