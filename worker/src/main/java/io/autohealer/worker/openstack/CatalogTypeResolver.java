package io.autohealer.worker.openstack;

import org.openstack4j.api.identity.EndpointURLResolver;
import org.openstack4j.api.types.Facing;
import org.openstack4j.api.types.ServiceType;
import org.openstack4j.model.identity.URLResolverParams;
import org.openstack4j.openstack.identity.internal.DefaultEndpointURLResolver;

/**
 * openstack4j finds Magnum only when its catalog NAME is "magnum" and otherwise answers with the
 * Keystone URL (or throws when a region is set). This resolver finds Magnum by catalog TYPE
 * {@code container-infra}, failing loudly when it is missing; other services resolve as before.
 */
final class CatalogTypeResolver implements EndpointURLResolver {
  static final String MAGNUM_TYPE = "container-infra";

  private final EndpointURLResolver fallback = new DefaultEndpointURLResolver();

  @Override
  public String findURLV2(URLResolverParams params) {
    return fallback.findURLV2(params);
  }

  @Override
  public String findURLV3(URLResolverParams params) {
    if (params.type == ServiceType.MAGNUM) {
      Facing facing = params.perspective == null ? Facing.PUBLIC : params.perspective;
      return ServiceCatalog.url(params.token, MAGNUM_TYPE, facing, params.region);
    }
    return fallback.findURLV3(params);
  }
}
