package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.model.common.Identifier;

/** The auth body openstack4j sends for an application credential, and the keys it needs. */
class ApplicationCredentialAuthTest {
  private static JsonNode asSent(ApplicationCredentialAuth auth) throws Exception {
    ObjectMapper openstack4j = ObjectMapperSingleton.getContext(ApplicationCredentialAuth.class);
    return new ObjectMapper().readTree(openstack4j.writeValueAsString(auth));
  }

  @Test
  void byIdIsTheKeystoneBodyWithoutScope() throws Exception {
    JsonNode body = asSent(ApplicationCredentialAuth.byId("ac-1", "s3cret"));

    assertEquals("application_credential", body.at("/auth/identity/methods/0").asText());
    assertEquals(1, body.at("/auth/identity/methods").size());
    assertEquals("ac-1", body.at("/auth/identity/application_credential/id").asText());
    assertEquals("s3cret", body.at("/auth/identity/application_credential/secret").asText());
    assertTrue(body.at("/auth/scope").isMissingNode(), body.toString());
    assertTrue(body.at("/auth/identity/password").isMissingNode(), body.toString());
  }

  @Test
  void byNameCarriesTheOwnerByIdOrByNameInADomain() throws Exception {
    JsonNode byUserId = asSent(ApplicationCredentialAuth.byName("healer", "u-1", null, "s"));
    assertEquals("healer", byUserId.at("/auth/identity/application_credential/name").asText());
    assertEquals("u-1", byUserId.at("/auth/identity/application_credential/user/id").asText());

    JsonNode byUserName = asSent(
        ApplicationCredentialAuth.byName("healer", "owner", Identifier.byName("Default"), "s"));
    assertEquals("owner", byUserName.at("/auth/identity/application_credential/user/name").asText());
    assertEquals("Default",
        byUserName.at("/auth/identity/application_credential/user/domain/name").asText());
  }

  @Test
  void credentialsNeedTheSecretAndRefuseATrust() {
    OpenStackCredentials ok = OpenStackCredentials.builder().authUrl("http://ks/v3")
        .applicationCredentialId("ac-1").applicationCredentialSecret("top-secret-1").build();
    assertTrue(ok.applicationCredential());
    assertFalse(ok.toString().contains("top-secret-1"), ok.toString());

    IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class,
        () -> OpenStackCredentials.builder().authUrl("http://ks/v3").applicationCredentialId("ac-1").build());
    assertTrue(noSecret.getMessage().contains("openstack.application-credential-secret"), noSecret.getMessage());

    IllegalArgumentException trust = assertThrows(IllegalArgumentException.class,
        () -> OpenStackCredentials.builder().authUrl("http://ks/v3").applicationCredentialId("ac-1")
            .applicationCredentialSecret("s").trustId("t").build());
    assertTrue(trust.getMessage().contains("openstack.trust-id"), trust.getMessage());

    IllegalArgumentException noOwner = assertThrows(IllegalArgumentException.class,
        () -> OpenStackCredentials.builder().authUrl("http://ks/v3").applicationCredentialName("healer")
            .applicationCredentialSecret("s").build());
    assertTrue(noOwner.getMessage().contains("openstack.user-id"), noOwner.getMessage());
  }
}
