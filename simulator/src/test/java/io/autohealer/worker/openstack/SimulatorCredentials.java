package io.autohealer.worker.openstack;

import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.openstack.OpenStackSimulator;

/** Credentials for the simulator's one account. */
final class SimulatorCredentials {
  private SimulatorCredentials() {}

  static OpenStackCredentials byIds(OpenStackSimulator sim) {
    KeystoneAccount a = sim.account();
    return OpenStackCredentials.builder()
        .authUrl(sim.authUrl()).userId(a.userId()).password(a.password()).projectId(a.projectId())
        .region("RegionOne").build();
  }

  static OpenStackCredentials byNames(OpenStackSimulator sim) {
    KeystoneAccount a = sim.account();
    return OpenStackCredentials.builder()
        .authUrl(sim.authUrl()).username(a.userName()).userDomainName(a.domainName())
        .password(a.password()).projectName(a.projectName()).projectDomainId(a.domainId())
        .endpointType("internal").build();
  }

  static OpenStackCredentials byTrust(OpenStackSimulator sim) {
    KeystoneAccount a = sim.account();
    return OpenStackCredentials.builder()
        .authUrl(sim.authUrl()).userId(a.userId()).password(a.password()).trustId(a.trustId()).build();
  }
}
