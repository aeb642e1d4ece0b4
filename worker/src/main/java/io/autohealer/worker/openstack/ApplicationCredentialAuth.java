package io.autohealer.worker.openstack;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRootName;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Authentication;
import org.openstack4j.openstack.common.Auth;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;

/**
 * The Keystone v3 auth body of an application credential, which openstack4j 3.12 cannot build.
 * As a {@link KeystoneAuth} of type credentials, openstack4j's authenticator sends it, keeps it in
 * the token and sends it again when a service answers 401: the same renewal as a password.
 * Without a scope: Keystone refuses one with an application credential.
 */
// openstack4j wraps a body in its root name only when the class itself is annotated.
@JsonRootName("auth")
final class ApplicationCredentialAuth extends KeystoneAuth {
  private static final long serialVersionUID = 1L;

  @JsonIgnore
  private final Method method;

  private ApplicationCredentialAuth(Map<String, Object> credential) {
    super(Auth.Type.CREDENTIALS);
    this.method = new Method(credential);
  }

  /** By the credential's id: unique, no user needed. */
  static ApplicationCredentialAuth byId(String id, String secret) {
    Map<String, Object> credential = new LinkedHashMap<>();
    credential.put("id", id);
    credential.put("secret", secret);
    return new ApplicationCredentialAuth(credential);
  }

  /**
   * By name, unique only per user: the owner by id, or by name in {@code userDomain}.
   *
   * @param userDomain null when {@code user} is an id
   */
  static ApplicationCredentialAuth byName(String name, String user, Identifier userDomain, String secret) {
    Map<String, Object> owner = new LinkedHashMap<>();
    if (userDomain == null) {
      owner.put("id", user);
    } else {
      owner.put("name", user);
      owner.put("domain", Map.of(userDomain.isTypeID() ? "id" : "name", userDomain.getId()));
    }
    Map<String, Object> credential = new LinkedHashMap<>();
    credential.put("name", name);
    credential.put("user", owner);
    credential.put("secret", secret);
    return new ApplicationCredentialAuth(credential);
  }

  @Override
  @JsonProperty("identity")
  public Authentication.Identity getIdentity() {
    return method;
  }

  @Override
  @JsonIgnore
  public Authentication.Scope getScope() {
    return null;
  }

  @Override
  @JsonIgnore
  public String getUsername() {
    Object id = method.credential.get("id");
    return String.valueOf(id != null ? id : method.credential.get("name"));
  }

  @Override
  @JsonIgnore
  public String getPassword() {
    return (String) method.credential.get("secret");
  }

  @Override
  @JsonIgnore
  public String getId() {
    return null;
  }

  @Override
  @JsonIgnore
  public String getName() {
    return null;
  }

  /** {@code {"methods": ["application_credential"], "application_credential": {...}}}. */
  static final class Method implements Authentication.Identity, Serializable {
    private static final long serialVersionUID = 1L;

    @JsonProperty("application_credential")
    private final Map<String, Object> credential;

    Method(Map<String, Object> credential) {
      this.credential = credential;
    }

    @Override
    @JsonProperty("methods")
    public List<String> getMethods() {
      return List.of("application_credential");
    }

    @Override
    @JsonIgnore
    public Password getPassword() {
      return null;
    }

    @Override
    @JsonIgnore
    public Token getToken() {
      return null;
    }
  }
}
