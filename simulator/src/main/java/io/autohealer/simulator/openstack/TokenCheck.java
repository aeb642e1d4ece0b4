package io.autohealer.simulator.openstack;

/** Decides whether the simulated services accept an incoming {@code X-Auth-Token}. */
interface TokenCheck {
  /** True when the token is valid now (null: no token sent). */
  boolean accepts(String token);
}
