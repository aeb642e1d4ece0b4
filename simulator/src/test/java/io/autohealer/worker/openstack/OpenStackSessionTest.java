package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.SimTiming;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.identity.v3.Token;

class OpenStackSessionTest {
  private OpenStackSimulator sim;

  private OpenStackSimulator start(SimulatorOptions options) {
    sim = new OpenStackSimulator(new CloudWorld(new SimTiming(100)), options).start();
    sim.newCluster("k8s").masters(1).workers(2).create();
    return sim;
  }

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void passwordAuthByIdsListsServersAndReusesTheToken() {
    start(SimulatorOptions.defaults());
    OpenStackSession session = new OpenStackSession(SimulatorCredentials.byIds(sim));

    assertEquals(3, session.client().compute().servers().list().size());
    assertEquals(3, session.client().compute().servers().list().size());
    assertEquals(1, sim.calls("keystone.token"));
  }

  @Test
  void passwordAuthByNamesAndTrustAuthBothWork() {
    start(SimulatorOptions.defaults());
    assertEquals(3, new OpenStackSession(SimulatorCredentials.byNames(sim)).client()
        .compute().servers().list().size());
    assertEquals(3, new OpenStackSession(SimulatorCredentials.byTrust(sim)).client()
        .compute().servers().list().size());
  }

  @Test
  void revokedTokenIsRenewedByOpenstack4jOnA401AndAdoptedBySession() {
    start(SimulatorOptions.defaults());
    OpenStackSession session = new OpenStackSession(SimulatorCredentials.byIds(sim));
    Token first = session.currentToken();
    sim.revokeTokens();

    assertEquals(3, session.client().compute().servers().list().size());
    assertEquals(2, sim.calls("keystone.token"));
    assertNotSame(first, session.currentToken());
    // The renewed token is used from now on: no further 401 and re-authentication.
    assertEquals(3, session.client().compute().servers().list().size());
    assertEquals(2, sim.calls("keystone.token"));
  }

  @Test
  void tokenIsRenewedBeforeItExpires() {
    start(SimulatorOptions.defaults().withTokenTtl(Duration.ofMinutes(60)));
    AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now.get(); }
    };
    OpenStackSession session = new OpenStackSession(
        SimulatorCredentials.byIds(sim), Config.newConfig(), Duration.ofMinutes(5), clock);
    Token first = session.currentToken();
    now.set(now.get().plus(Duration.ofMinutes(50)));
    assertSame(first, session.currentToken());

    now.set(now.get().plus(Duration.ofMinutes(6)));
    assertNotSame(first, session.currentToken());
    assertEquals(2, sim.calls("keystone.token"));
  }

  @Test
  void wrongPasswordFailsWithA401ThatDoesNotShowThePassword() {
    start(SimulatorOptions.defaults());
    OpenStackCredentials wrong = OpenStackCredentials.builder().authUrl(sim.authUrl())
        .userId(sim.account().userId()).password("not-the-password-xyz")
        .projectId(sim.account().projectId()).build();

    OpenStackApiException e = assertThrows(OpenStackApiException.class,
        () -> new OpenStackSession(wrong).client());
    assertEquals(401, e.status());
    assertFalse(e.getMessage().contains("not-the-password-xyz"), e.getMessage());
    assertFalse(wrong.toString().contains("not-the-password-xyz"));
  }

  @Test
  void magnumIsFoundByCatalogTypeEvenWhenNotNamedMagnum() {
    start(SimulatorOptions.defaults().withMagnumServiceName("container-infra-svc"));
    OpenStackSession session = new OpenStackSession(SimulatorCredentials.byIds(sim));
    session.client();

    assertTrue(session.endpoint("container-infra").endsWith("/magnum/v1"));
    assertEquals("k8s", new MagnumApi().cluster("k8s").orElseThrow().name());
    assertEquals(1, sim.calls("magnum.cluster.get"));
  }

  @Test
  void missingServiceFailsLoudly() {
    start(SimulatorOptions.defaults());
    OpenStackSession session = new OpenStackSession(SimulatorCredentials.byIds(sim));

    MissingServiceException e = assertThrows(MissingServiceException.class,
        () -> session.endpoint("baremetal"));
    assertTrue(e.getMessage().contains("baremetal"), e.getMessage());
  }

  @Test
  void credentialsAreValidatedLikeTheGoConfig() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OpenStackCredentials.builder().authUrl("http://ks/v3").username("u").password("p")
            .projectId("p").build());
    assertTrue(e.getMessage().contains("user-domain"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> OpenStackCredentials.builder().authUrl("http://ks/v3").userId("u").password("p").build());
  }
}
