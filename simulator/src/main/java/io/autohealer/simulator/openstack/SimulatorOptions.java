package io.autohealer.simulator.openstack;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link OpenStackSimulator} is set up.
 *
 * @param port TCP port on loopback, 0 for any free port
 * @param account the Keystone user, project and trust that may authenticate
 * @param tokenTtl how long an issued token is valid (real time)
 * @param magnumServiceName the catalog name of the container-infra service; real clouds mostly
 *     say "magnum", but openstack4j must not depend on it
 * @param delays how long simulated operations take before scaling by the world's speed
 * @param externalKeystone a real Keystone whose tokens the services accept instead of the
 *     simulator's own (then {@code account} must name that Keystone's project), or null
 */
public record SimulatorOptions(
    int port, KeystoneAccount account, Duration tokenTtl, String magnumServiceName, OpenStackDelays delays,
    ExternalKeystone externalKeystone) {

  public SimulatorOptions {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(tokenTtl, "tokenTtl");
    Objects.requireNonNull(magnumServiceName, "magnumServiceName");
    Objects.requireNonNull(delays, "delays");
  }

  public static SimulatorOptions defaults() {
    return new SimulatorOptions(
        0, KeystoneAccount.defaults(), Duration.ofHours(1), "magnum", OpenStackDelays.realistic(), null);
  }

  public SimulatorOptions withPort(int port) {
    return new SimulatorOptions(port, account, tokenTtl, magnumServiceName, delays, externalKeystone);
  }

  public SimulatorOptions withAccount(KeystoneAccount account) {
    return new SimulatorOptions(port, account, tokenTtl, magnumServiceName, delays, externalKeystone);
  }

  public SimulatorOptions withTokenTtl(Duration tokenTtl) {
    return new SimulatorOptions(port, account, tokenTtl, magnumServiceName, delays, externalKeystone);
  }

  public SimulatorOptions withMagnumServiceName(String magnumServiceName) {
    return new SimulatorOptions(port, account, tokenTtl, magnumServiceName, delays, externalKeystone);
  }

  public SimulatorOptions withDelays(OpenStackDelays delays) {
    return new SimulatorOptions(port, account, tokenTtl, magnumServiceName, delays, externalKeystone);
  }

  public SimulatorOptions withExternalKeystone(ExternalKeystone externalKeystone) {
    return new SimulatorOptions(port, account, tokenTtl, magnumServiceName, delays, externalKeystone);
  }
}
