package io.autohealer.worker.openstack;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * How the worker authenticates with Keystone v3: the Go healer's {@code openstack.*} keys.
 *
 * <p>Either {@code userId}, or {@code username} with {@code userDomainName}/{@code userDomainId}.
 * Scope: {@code trustId} (Magnum's own deployment: the trustee's user id and password), or a
 * project by {@code projectId}, or by {@code projectName} with a project domain.
 *
 * <p>Or an application credential instead of a password: by {@code applicationCredentialId}, or by
 * {@code applicationCredentialName} with its owner (the user, as above), and always its secret.
 * Keystone fixes its project when it is created and refuses a scope in the request, so the
 * project and trust keys are not used then. {@link #toString()} never shows a password or secret.
 *
 * @param region the catalog region to use, or null for any
 * @param endpointType the catalog interface: public (default), internal or admin
 */
public record OpenStackCredentials(
    String authUrl,
    String userId,
    String username,
    String password,
    String userDomainName,
    String userDomainId,
    String projectId,
    String projectName,
    String projectDomainName,
    String projectDomainId,
    String trustId,
    String region,
    String endpointType,
    String applicationCredentialId,
    String applicationCredentialName,
    String applicationCredentialSecret) {

  public OpenStackCredentials {
    authUrl = nullIfBlank(authUrl);
    userId = nullIfBlank(userId);
    username = nullIfBlank(username);
    userDomainName = nullIfBlank(userDomainName);
    userDomainId = nullIfBlank(userDomainId);
    projectId = nullIfBlank(projectId);
    projectName = nullIfBlank(projectName);
    projectDomainName = nullIfBlank(projectDomainName);
    projectDomainId = nullIfBlank(projectDomainId);
    trustId = nullIfBlank(trustId);
    region = nullIfBlank(region);
    applicationCredentialId = nullIfBlank(applicationCredentialId);
    applicationCredentialName = nullIfBlank(applicationCredentialName);
    require(!blank(authUrl), "openstack.auth-url is required");
    if (applicationCredentialId != null || applicationCredentialName != null) {
      require(!blank(applicationCredentialSecret),
          "openstack.application-credential-secret is required with an application credential");
      require(trustId == null, "openstack.trust-id cannot be combined with an application credential "
          + "(the credential's project is fixed when it is created)");
      require(applicationCredentialId != null || !blank(userId) || !blank(username),
          "openstack.application-credential-name needs its owner: openstack.user-id or openstack.username");
      require(applicationCredentialId != null || !blank(userId) || !blank(userDomainName)
          || !blank(userDomainId),
          "openstack.username needs openstack.user-domain-name or openstack.user-domain-id");
    } else {
      require(password != null, "openstack.password is required");
      require(!blank(userId) || !blank(username), "openstack.user-id or openstack.username is required");
      require(!blank(userId) || !blank(userDomainName) || !blank(userDomainId),
          "openstack.username needs openstack.user-domain-name or openstack.user-domain-id");
      require(!blank(trustId) || !blank(projectId) || !blank(projectName),
          "a scope is required: openstack.trust-id, openstack.project-id or openstack.project-name");
      require(!blank(trustId) || !blank(projectId) || !blank(projectDomainName) || !blank(projectDomainId),
          "openstack.project-name needs openstack.project-domain-name or openstack.project-domain-id");
    }
    authUrl = authUrl.replaceAll("/+$", "");
    require(isHttpUrl(authUrl),
        "openstack.auth-url: \"" + authUrl + "\" is not an http or https URL (expected e.g. https://keystone.example.com:5000/v3)");
    endpointType = blank(endpointType) ? "public" : endpointType.trim().toLowerCase();
    require(endpointType.matches("public|internal|admin"),
        "openstack.os-endpoint-type must be public, internal or admin, got " + endpointType);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Who and where, for log lines and error messages. */
  public String describe() {
    String user = blank(userId) ? username : userId;
    if (applicationCredential()) {
      return "application credential " + (applicationCredentialId != null ? applicationCredentialId
          : applicationCredentialName + " of user " + user) + " at " + authUrl;
    }
    String scope = !blank(trustId) ? "trust " + trustId
        : !blank(projectId) ? "project " + projectId : "project " + projectName;
    return "user " + user + ", " + scope + " at " + authUrl;
  }

  /** True when an application credential (by id or by name) replaces the password. */
  public boolean applicationCredential() {
    return applicationCredentialId != null || applicationCredentialName != null;
  }

  @Override
  public String toString() {
    return "OpenStackCredentials[" + describe() + ", region=" + region + ", endpointType=" + endpointType
        + (applicationCredential() ? ", secret=****]" : ", password=****]");
  }

  private static String nullIfBlank(String s) {
    return blank(s) ? null : s.trim();
  }

  /** An absolute http(s) URL with a host; openstack4j would otherwise fail only at the first repair. */
  private static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Fills the record by name; unset keys stay null. */
  public static final class Builder {
    private String authUrl;
    private String userId;
    private String username;
    private String password;
    private String userDomainName;
    private String userDomainId;
    private String projectId;
    private String projectName;
    private String projectDomainName;
    private String projectDomainId;
    private String trustId;
    private String region;
    private String endpointType;
    private String applicationCredentialId;
    private String applicationCredentialName;
    private String applicationCredentialSecret;

    public Builder authUrl(String v) { authUrl = v; return this; }

    public Builder userId(String v) { userId = v; return this; }

    public Builder username(String v) { username = v; return this; }

    public Builder password(String v) { password = v; return this; }

    public Builder userDomainName(String v) { userDomainName = v; return this; }

    public Builder userDomainId(String v) { userDomainId = v; return this; }

    public Builder projectId(String v) { projectId = v; return this; }

    public Builder projectName(String v) { projectName = v; return this; }

    public Builder projectDomainName(String v) { projectDomainName = v; return this; }

    public Builder projectDomainId(String v) { projectDomainId = v; return this; }

    public Builder trustId(String v) { trustId = v; return this; }

    public Builder region(String v) { region = v; return this; }

    public Builder endpointType(String v) { endpointType = v; return this; }

    public Builder applicationCredentialId(String v) { applicationCredentialId = v; return this; }

    public Builder applicationCredentialName(String v) { applicationCredentialName = v; return this; }

    public Builder applicationCredentialSecret(String v) { applicationCredentialSecret = v; return this; }

    public OpenStackCredentials build() {
      return new OpenStackCredentials(authUrl, userId, username, password, userDomainName, userDomainId,
          projectId, projectName, projectDomainName, projectDomainId, trustId, region, endpointType,
          applicationCredentialId, applicationCredentialName, applicationCredentialSecret);
    }
  }
}
