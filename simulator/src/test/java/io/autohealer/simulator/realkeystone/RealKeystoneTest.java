package io.autohealer.simulator.realkeystone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.RealLane;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;
import org.openstack4j.openstack.internal.OSAuthenticator;

/** openstack4j against Debian's Keystone: password and trust authentication, the templated catalog. */
@Tag("real-keystone")
class RealKeystoneTest {
  private static RealKeystone keystone;

  @BeforeAll
  static void start() {
    new RealLane("real-Keystone", "real-keystone", RealKeystone::installed, RealKeystone::missingMessage,
        IllegalStateException::new).assumeInstalled();
    keystone = RealKeystone.start(RealKeystone.simulatorCatalog("http://127.0.0.1:8999"));
  }

  @AfterAll
  static void stop() {
    if (keystone != null) {
      keystone.close();
    }
  }

  @Test
  void passwordAuthScopedToTheProjectGetsATokenAndTheTemplatedCatalog() {
    OSClientV3 os = OSFactory.builderV3()
        .endpoint(keystone.authUrl())
        .credentials(RealKeystone.CLUSTER_OWNER, keystone.password(), Identifier.byName(RealKeystone.DOMAIN))
        .scopeToProject(Identifier.byId(keystone.projectId()))
        .authenticate();
    Token token = os.getToken();
    assertNotNull(token.getId());
    assertEquals(keystone.projectId(), token.getProject().getId());
    Map<String, String> catalog = token.getCatalog().stream()
        .collect(Collectors.toMap(Service::getType, s -> s.getEndpoints().get(0).getUrl().toString()));
    assertEquals("http://127.0.0.1:8999/compute/v2.1", catalog.get("compute"));
    assertEquals("http://127.0.0.1:8999/magnum/v1", catalog.get("container-infra"));
    assertEquals("http://127.0.0.1:8999/heat/v1/" + keystone.projectId(), catalog.get("orchestration"));
    assertEquals("http://127.0.0.1:8999/volume/v3/" + keystone.projectId(), catalog.get("volumev3"));
  }

  @Test
  void theTrusteeAuthenticatesWithTheTrustAsMagnumsHealerDoes() {
    OSClientV3 os = (OSClientV3) OSAuthenticator.invoke(
        new KeystoneAuth(keystone.trusteeId(), keystone.password(), null,
            KeystoneAuth.AuthScope.trust(keystone.trustId())),
        keystone.authUrl(), Facing.PUBLIC, Config.DEFAULT, null);
    Token token = os.getToken();
    assertEquals(keystone.projectId(), token.getProject().getId());
    // Impersonation: the token acts as the trustor (the cluster owner).
    assertEquals(keystone.clusterOwnerId(), token.getUser().getId());
    assertTrue(token.getRoles().stream().anyMatch(r -> "member".equals(r.getName())));
  }
}
