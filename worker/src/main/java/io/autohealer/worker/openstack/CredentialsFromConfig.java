package io.autohealer.worker.openstack;

import io.autohealer.config.ConfigException;
import io.autohealer.config.OpenStackSettings;

/** Maps the Go service's {@code openstack.*} keys onto the credentials this worker supports. */
public final class CredentialsFromConfig {
  private CredentialsFromConfig() {}

  /**
   * As in the Go service: with a trust, {@code trustee-id} and {@code trustee-password} replace the
   * user id and password; {@code domain-id}/{@code domain-name} stand in for the user and project
   * domain when those are not given. An application credential (id, or name with the user) and its
   * secret replace the password and the scope.
   *
   * @throws ConfigException naming the key when a needed key is missing or a key is unsupported
   */
  public static OpenStackCredentials from(OpenStackSettings s) {
    boolean trust = notBlank(s.trustId());
    String userId = trust && notBlank(s.trusteeId()) ? s.trusteeId() : s.userId();
    String password = trust && s.trusteePassword() != null ? s.trusteePassword() : s.password();
    try {
      return new OpenStackCredentials(
          s.authUrl(),
          userId,
          s.username(),
          password,
          firstNonBlank(s.userDomainName(), s.domainName()),
          firstNonBlank(s.userDomainId(), s.domainId()),
          s.projectId(),
          s.projectName(),
          firstNonBlank(s.projectDomainName(), s.domainName()),
          firstNonBlank(s.projectDomainId(), s.domainId()),
          s.trustId(),
          s.region(),
          s.endpointType(),
          s.applicationCredentialId(),
          s.applicationCredentialName(),
          s.applicationCredentialSecret());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static String firstNonBlank(String a, String b) {
    return notBlank(a) ? a : b;
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
