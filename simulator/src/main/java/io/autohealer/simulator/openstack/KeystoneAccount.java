package io.autohealer.simulator.openstack;

import java.util.Objects;

/**
 * The one user and project the simulated Keystone knows.
 *
 * @param trustId a trust the user may scope to (Magnum's own healer deployment), or null
 */
public record KeystoneAccount(
    String userId,
    String userName,
    String domainId,
    String domainName,
    String password,
    String projectId,
    String projectName,
    String trustId) {

  public KeystoneAccount {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(userName, "userName");
    Objects.requireNonNull(domainId, "domainId");
    Objects.requireNonNull(domainName, "domainName");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(projectName, "projectName");
  }

  public static KeystoneAccount defaults() {
    return new KeystoneAccount(
        "3f9a1c2e5b7d4e0f8a6b1c2d3e4f5a6b",
        "healer",
        "default",
        "Default",
        "healer-secret",
        "d4017f7c0e8b4a5f9c3b2a1e0d9c8b7a",
        "k8s-project",
        "7c1e5a9b3d2f4e6a8b0c1d2e3f4a5b6c");
  }

  @Override
  public String toString() {
    return "KeystoneAccount[user=" + userName + " (" + userId + "), project=" + projectName + "]";
  }
}
