package io.autohealer.worker.openstack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.client.IOSClientBuilder;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;
import org.openstack4j.openstack.internal.OSAuthenticator;
import org.openstack4j.openstack.internal.OSClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Keystone v3 identity for the whole worker: authenticates through openstack4j, caches the
 * token, re-authenticates before it expires, and binds a client to each calling thread (openstack4j
 * sessions are thread-local). Thread-safe.
 */
public final class OpenStackSession {
  private static final Logger log = LoggerFactory.getLogger(OpenStackSession.class);
  private static final Duration DEFAULT_REFRESH_MARGIN = Duration.ofMinutes(5);

  private final OpenStackCredentials credentials;
  private final Config config;
  private final Facing facing;
  private final Duration refreshMargin;
  private final Clock clock;
  private volatile Token token;

  /** Connect timeout 10 s, read timeout 60 s, refresh 5 minutes before expiry. */
  public OpenStackSession(OpenStackCredentials credentials) {
    this(credentials,
        Config.newConfig().withConnectionTimeout(10_000).withReadTimeout(60_000),
        DEFAULT_REFRESH_MARGIN,
        Clock.systemUTC());
  }

  /**
   * @param config openstack4j transport settings; its endpoint resolver is replaced by one that
   *     finds Magnum by catalog type
   * @param refreshMargin re-authenticate when the token expires within this (capped at a quarter
   *     of the token's lifetime, so that short-lived tokens are still reused)
   */
  public OpenStackSession(OpenStackCredentials credentials, Config config, Duration refreshMargin, Clock clock) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.config = Objects.requireNonNull(config, "config").withEndpointURLResolver(new CatalogTypeResolver());
    this.refreshMargin = Objects.requireNonNull(refreshMargin, "refreshMargin");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.facing = Facing.value(credentials.endpointType());
  }

  public OpenStackCredentials credentials() {
    return credentials;
  }

  /** A client bound to the calling thread, with a token that is valid for a while yet. */
  public OSClientV3 client() {
    OSClientV3 client = OSFactory.clientFromToken(currentToken(), facing, config);
    if (credentials.region() != null) {
      client.useRegion(credentials.region());
    }
    return client;
  }

  /** The URL of a service by catalog type (e.g. {@code container-infra}); never a fallback. */
  public String endpoint(String serviceType) {
    return ServiceCatalog.url(currentToken(), serviceType, facing, credentials.region());
  }

  /** Authenticates now unless the cached token is still good; returns it. */
  Token currentToken() {
    adoptThreadToken();
    Token cached = token;
    if (cached != null && !expiresSoon(cached)) {
      return cached;
    }
    synchronized (this) {
      if (token == null || expiresSoon(token)) {
        token = authenticate();
      }
      return token;
    }
  }

  /**
   * openstack4j re-authenticates on a 401 into the calling thread's session only; take that newer
   * token over, so that other threads do not each run into the same 401 first.
   */
  private void adoptThreadToken() {
    if (!(OSClientSession.getCurrent() instanceof OSClientSession.OSClientSessionV3 session)) {
      return;
    }
    Token fresh = session.getToken();
    Token cached = token;
    if (fresh != null && cached != null && fresh != cached && fresh.getExpires() != null
        && Objects.equals(fresh.getEndpoint(), cached.getEndpoint())
        && Objects.equals(fresh.getCacheIdentifier(), cached.getCacheIdentifier())
        && !fresh.getId().equals(cached.getId())
        && !fresh.getExpires().before(cached.getExpires())) {
      synchronized (this) {
        if (token == cached) {
          token = fresh;
        }
      }
    }
  }

  private boolean expiresSoon(Token t) {
    if (t.getExpires() == null) {
      return false;
    }
    Instant expires = t.getExpires().toInstant();
    Duration margin = refreshMargin;
    if (t.getIssuedAt() != null) {
      Duration quarterLife = Duration.between(t.getIssuedAt().toInstant(), expires).dividedBy(4);
      margin = margin.compareTo(quarterLife) < 0 ? margin : quarterLife;
    }
    return !clock.instant().isBefore(expires.minus(margin));
  }

  private Token authenticate() {
    try {
      OSClientV3 client = credentials.applicationCredential() ? applicationCredential()
          : credentials.trustId() != null ? trustScoped() : projectScoped();
      Token fresh = client.getToken();
      log.info("Authenticated with Keystone as {}; token expires at {}",
          credentials.describe(), fresh.getExpires() == null ? "never" : fresh.getExpires().toInstant());
      return fresh;
    } catch (ResponseException e) {
      throw new OpenStackApiException("Keystone authentication (" + credentials.describe() + ")",
          e.getStatus(), e.getStatus() == 401 ? "credentials or scope refused" : e.getMessage(), e);
    }
  }

  private OSClientV3 projectScoped() {
    IOSClientBuilder.V3 builder = OSFactory.builderV3()
        .endpoint(credentials.authUrl())
        .withConfig(config)
        .perspective(facing);
    Identifier userDomain = userDomain();
    builder = userDomain == null
        ? builder.credentials(credentials.userId(), credentials.password())
        : builder.credentials(credentials.username(), credentials.password(), userDomain);
    if (credentials.projectId() != null) {
      builder = builder.scopeToProject(Identifier.byId(credentials.projectId()));
    } else {
      builder = builder.scopeToProject(Identifier.byName(credentials.projectName()), projectDomain());
    }
    return builder.authenticate();
  }

  /** openstack4j has no builder method for trust scope; its authenticator takes the auth body. */
  private OSClientV3 trustScoped() {
    Identifier userDomain = userDomain();
    String user = userDomain == null ? credentials.userId() : credentials.username();
    KeystoneAuth auth = new KeystoneAuth(user, credentials.password(), userDomain,
        KeystoneAuth.AuthScope.trust(credentials.trustId()));
    return (OSClientV3) OSAuthenticator.invoke(auth, credentials.authUrl(), facing, config, null);
  }

  /** openstack4j 3.12 has no application credentials; its authenticator sends the body we build. */
  private OSClientV3 applicationCredential() {
    ApplicationCredentialAuth auth;
    if (credentials.applicationCredentialId() != null) {
      auth = ApplicationCredentialAuth.byId(credentials.applicationCredentialId(),
          credentials.applicationCredentialSecret());
    } else {
      Identifier userDomain = userDomain();
      auth = ApplicationCredentialAuth.byName(credentials.applicationCredentialName(),
          userDomain == null ? credentials.userId() : credentials.username(), userDomain,
          credentials.applicationCredentialSecret());
    }
    return (OSClientV3) OSAuthenticator.invoke(auth, credentials.authUrl(), facing, config, null);
  }

  /** Null when the user is given by id (then no domain is sent). */
  private Identifier userDomain() {
    if (credentials.userId() != null && !credentials.userId().isBlank()) {
      return null;
    }
    return credentials.userDomainId() != null
        ? Identifier.byId(credentials.userDomainId())
        : Identifier.byName(credentials.userDomainName());
  }

  private Identifier projectDomain() {
    return credentials.projectDomainId() != null
        ? Identifier.byId(credentials.projectDomainId())
        : Identifier.byName(credentials.projectDomainName());
  }
}
