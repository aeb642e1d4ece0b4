package io.autohealer.config;

/**
 * The {@code openstack} section: Keystone authentication plus region and endpoint type, with the
 * keys of the Go service's {@code AuthOpts}. Unset values are null (booleans false).
 * {@link #toString()} hides the secrets.
 *
 * <p>The password may also come from outside the config file: see {@link ConfigLoader}.
 *
 * @param authUrl {@code auth-url}
 * @param userId {@code user-id}
 * @param username {@code username}
 * @param password {@code password}, or {@code password-file}'s content, or env {@code OS_PASSWORD}
 * @param projectId {@code project-id}
 * @param projectName {@code project-name}
 * @param trustId {@code trust-id}: when set, authenticate with a Keystone v3 trust scope
 * @param trusteeId {@code trustee-id}: overrides the user id under a trust
 * @param trusteePassword {@code trustee-password}: overrides the password under a trust
 * @param domainId {@code domain-id}
 * @param domainName {@code domain-name}
 * @param projectDomainId {@code project-domain-id}
 * @param projectDomainName {@code project-domain-name}
 * @param userDomainId {@code user-domain-id}
 * @param userDomainName {@code user-domain-name}
 * @param region {@code region}: endpoint-catalog region
 * @param endpointType {@code os-endpoint-type}: catalog interface (public, internal, admin)
 * @param caFile {@code ca-file}
 * @param caFileContents {@code cafilecontents}: PEM text of the CA bundle
 * @param tlsInsecure {@code tls-insecure}: skip TLS verification
 * @param token {@code token}
 * @param certFile {@code cert-file}: TLS client certificate
 * @param keyFile {@code key-file}: TLS client key
 * @param useClouds {@code use-clouds} (accepted; unused by the Go service too)
 * @param cloudsFile {@code clouds-file} (accepted; unused by the Go service too)
 * @param cloud {@code cloud}
 * @param applicationCredentialId {@code application-credential-id}
 * @param applicationCredentialName {@code application-credential-name}
 * @param applicationCredentialSecret {@code application-credential-secret}
 */
public record OpenStackSettings(
    String authUrl,
    String userId,
    String username,
    String password,
    String projectId,
    String projectName,
    String trustId,
    String trusteeId,
    String trusteePassword,
    String domainId,
    String domainName,
    String projectDomainId,
    String projectDomainName,
    String userDomainId,
    String userDomainName,
    String region,
    String endpointType,
    String caFile,
    String caFileContents,
    boolean tlsInsecure,
    String token,
    String certFile,
    String keyFile,
    boolean useClouds,
    String cloudsFile,
    String cloud,
    String applicationCredentialId,
    String applicationCredentialName,
    String applicationCredentialSecret) {

  @Override
  public String toString() {
    return "OpenStackSettings[authUrl=" + authUrl
        + ", userId=" + userId
        + ", username=" + username
        + ", password=" + redact(password)
        + ", projectId=" + projectId
        + ", projectName=" + projectName
        + ", trustId=" + trustId
        + ", trusteeId=" + trusteeId
        + ", trusteePassword=" + redact(trusteePassword)
        + ", domainId=" + domainId
        + ", domainName=" + domainName
        + ", projectDomainId=" + projectDomainId
        + ", projectDomainName=" + projectDomainName
        + ", userDomainId=" + userDomainId
        + ", userDomainName=" + userDomainName
        + ", region=" + region
        + ", endpointType=" + endpointType
        + ", caFile=" + caFile
        + ", caFileContents=" + (caFileContents == null ? null : "<" + caFileContents.length() + " chars>")
        + ", tlsInsecure=" + tlsInsecure
        + ", token=" + redact(token)
        + ", certFile=" + certFile
        + ", keyFile=" + keyFile
        + ", useClouds=" + useClouds
        + ", cloudsFile=" + cloudsFile
        + ", cloud=" + cloud
        + ", applicationCredentialId=" + applicationCredentialId
        + ", applicationCredentialName=" + applicationCredentialName
        + ", applicationCredentialSecret=" + redact(applicationCredentialSecret)
        + "]";
  }

  private static String redact(String secret) {
    return secret == null ? null : "<redacted>";
  }
}
