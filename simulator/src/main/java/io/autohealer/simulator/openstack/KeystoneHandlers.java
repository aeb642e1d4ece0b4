package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/** {@code POST /identity/v3/auth/tokens}: password auth, project or trust scope, a catalog. */
final class KeystoneHandlers {
  private static final String UNAUTHORIZED = "The request you have made requires authentication.";

  private final KeystoneAccount account;
  private final TokenStore tokens;
  private final Catalog catalog;

  /** The service URLs the catalog lists. */
  record Catalog(String baseUrl, String magnumServiceName) {}

  KeystoneHandlers(KeystoneAccount account, TokenStore tokens, Catalog catalog) {
    this.account = account;
    this.tokens = tokens;
    this.catalog = catalog;
  }

  void register(Router router) {
    router.add(ApiService.KEYSTONE, "POST", "/identity/v3/auth/tokens", r -> "keystone.token", false, this::issue);
  }

  private SimResponse issue(SimRequest request) {
    JsonNode auth = request.json().path("auth");
    if (!auth.path("identity").path("methods").toString().contains("\"password\"")) {
      throw ApiException.badRequest("Only the password method is supported by the simulator");
    }
    JsonNode user = auth.path("identity").path("password").path("user");
    if (!userMatches(user) || !account.password().equals(user.path("password").asText(null))) {
      throw new ApiException(401, UNAUTHORIZED);
    }
    JsonNode scope = auth.path("scope");
    boolean trust = scope.has("OS-TRUST:trust");
    boolean projectScoped = trust || scope.has("project");
    if (trust && (account.trustId() == null
        || !account.trustId().equals(scope.path("OS-TRUST:trust").path("id").asText()))) {
      throw new ApiException(401, UNAUTHORIZED);
    }
    if (scope.has("project") && !projectMatches(scope.path("project"))) {
      throw new ApiException(401, UNAUTHORIZED);
    }

    TokenStore.Issued issued = tokens.issue();
    ObjectNode body = Json.object();
    ObjectNode token = body.putObject("token");
    token.putArray("methods").add("password");
    ObjectNode tokenUser = token.putObject("user");
    tokenUser.putObject("domain").put("id", account.domainId()).put("name", account.domainName());
    tokenUser.put("id", account.userId()).put("name", account.userName()).putNull("password_expires_at");
    token.putArray("audit_ids").add(UUID.randomUUID().toString().substring(0, 22));
    token.put("expires_at", Json.keystoneTime(issued.expiresAt()));
    token.put("issued_at", Json.keystoneTime(issued.issuedAt()));
    if (projectScoped) {
      ObjectNode project = token.putObject("project");
      project.putObject("domain").put("id", account.domainId()).put("name", account.domainName());
      project.put("id", account.projectId()).put("name", account.projectName());
      token.put("is_domain", false);
      ArrayNode roles = token.putArray("roles");
      roles.addObject().put("id", "9fe2ff9ee4384b1894a90878d3e92bab").put("name", "member");
      roles.addObject().put("id", "2c2b9e4f8a1d4c3b9e7f6a5d4c3b2a19").put("name", "reader");
      token.set("catalog", catalog());
    }
    if (trust) {
      ObjectNode trustNode = token.putObject("OS-TRUST:trust");
      trustNode.put("id", account.trustId()).put("impersonation", false);
      trustNode.putObject("trustee_user").put("id", account.userId());
      trustNode.putObject("trustor_user").put("id", "0a1b2c3d4e5f40718293a4b5c6d7e8f9");
    }
    return SimResponse.json(201, body).header("X-Subject-Token", issued.id());
  }

  private boolean userMatches(JsonNode user) {
    if (user.hasNonNull("id")) {
      return account.userId().equals(user.path("id").asText());
    }
    return account.userName().equals(user.path("name").asText(null)) && domainMatches(user.path("domain"));
  }

  private boolean projectMatches(JsonNode project) {
    if (project.hasNonNull("id")) {
      return account.projectId().equals(project.path("id").asText());
    }
    return account.projectName().equals(project.path("name").asText(null))
        && domainMatches(project.path("domain"));
  }

  private boolean domainMatches(JsonNode domain) {
    if (domain.hasNonNull("id")) {
      return account.domainId().equals(domain.path("id").asText());
    }
    return account.domainName().equals(domain.path("name").asText(null));
  }

  private ArrayNode catalog() {
    String base = catalog.baseUrl();
    String project = account.projectId();
    ArrayNode services = Json.array();
    addService(services, "identity", "keystone", base + "/identity/v3");
    addService(services, "compute", "nova", base + "/compute/v2.1");
    addService(services, "container-infra", catalog.magnumServiceName(), base + "/magnum/v1");
    addService(services, "orchestration", "heat", base + "/heat/v1/" + project);
    addService(services, "volumev3", "cinderv3", base + "/volume/v3/" + project);
    return services;
  }

  private static void addService(ArrayNode services, String type, String name, String url) {
    ObjectNode service = services.addObject();
    service.put("type", type).put("name", name).put("id", uuidHex());
    ArrayNode endpoints = service.putArray("endpoints");
    for (String iface : new String[] {"public", "internal"}) {
      endpoints.addObject()
          .put("id", uuidHex())
          .put("interface", iface)
          .put("region_id", "RegionOne")
          .put("region", "RegionOne")
          .put("url", url);
    }
  }

  private static String uuidHex() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
