package io.autohealer.simulator.openstack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Issued Keystone tokens and their expiry (real time, not scaled). */
final class TokenStore implements TokenCheck {
  record Issued(String id, Instant issuedAt, Instant expiresAt) {}

  private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
  private final Clock clock;
  private volatile Duration ttl;

  TokenStore(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  Issued issue() {
    Instant now = clock.instant();
    Issued token = new Issued("gAAAA" + UUID.randomUUID().toString().replace("-", ""), now, now.plus(ttl));
    tokens.put(token.id(), token);
    return token;
  }

  @Override
  public boolean accepts(String id) {
    if (id == null) {
      return false;
    }
    Issued token = tokens.get(id);
    return token != null && clock.instant().isBefore(token.expiresAt());
  }

  void setTtl(Duration ttl) {
    this.ttl = ttl;
  }

  /** Revokes every token, as a Keystone key rotation or restart would. */
  void revokeAll() {
    tokens.clear();
  }
}
