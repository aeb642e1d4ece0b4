package io.autohealer.worker.openstack;

import java.util.List;
import java.util.Objects;
import org.openstack4j.api.types.Facing;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.model.identity.v3.Token;

/**
 * Finds endpoints in a token's catalog by service TYPE. openstack4j matches services by name
 * patterns and, when nothing matches, silently falls back to the Keystone URL; this never does.
 */
final class ServiceCatalog {
  private ServiceCatalog() {}

  static String url(Token token, String type, Facing facing, String region) {
    List<? extends Service> services = token.getCatalog() == null ? List.of() : token.getCatalog();
    for (Service service : services) {
      if (!type.equalsIgnoreCase(service.getType()) || service.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : service.getEndpoints()) {
        if (endpoint.getIface() == facing && regionMatches(endpoint, region) && endpoint.getUrl() != null) {
          return endpoint.getUrl().toString().replaceAll("/+$", "");
        }
      }
    }
    throw new MissingServiceException("the Keystone catalog has no " + facing.name().toLowerCase()
        + " endpoint of type '" + type + "'" + (region == null ? "" : " in region " + region)
        + "; it lists: " + services.stream().map(Service::getType).toList());
  }

  private static boolean regionMatches(Endpoint endpoint, String region) {
    return region == null
        || Objects.equals(region, endpoint.getRegion())
        || Objects.equals(region, endpoint.getRegionId());
  }
}
