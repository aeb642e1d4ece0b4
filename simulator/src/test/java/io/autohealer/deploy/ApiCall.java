package io.autohealer.deploy;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Kubernetes API request as RBAC sees it: verb, API group, resource, subresource, namespace
 * and name (the request attributes of the apiserver's authorizer).
 *
 * @param namespace null for a cluster-scoped resource or a list across all namespaces
 * @param name null for collection requests (list, watch, create, deletecollection)
 */
record ApiCall(String verb, String group, String resource, String subresource, String namespace, String name) {

  /** The resource as RBAC rules name it: {@code pods/eviction} for a subresource. */
  String ruleResource() {
    return subresource == null ? resource : resource + "/" + subresource;
  }

  @Override
  public String toString() {
    return verb + " " + (group.isEmpty() ? "" : group + "/") + ruleResource()
        + (namespace == null ? "" : " in " + namespace) + (name == null ? "" : " " + name);
  }

  /**
   * Parses an HTTP request to the API server, as the apiserver's RequestInfoResolver does.
   *
   * @return null for a non-resource request (e.g. /version)
   */
  static ApiCall parse(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    List<String> parts = new ArrayList<>(Arrays.asList(uri.getPath().replaceAll("^/+|/+$", "").split("/")));
    String group;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    } else {
      return null;
    }
    if (parts.isEmpty()) {
      return null;
    }
    String namespace = null;
    // namespaces/<ns>/<resource>... is namespaced; namespaces or namespaces/<name> is the Namespace itself.
    if (parts.get(0).equals("namespaces") && parts.size() >= 3) {
      namespace = parts.get(1);
      parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0);
    String name = parts.size() >= 2 ? parts.get(1) : null;
    String subresource = parts.size() >= 3 ? parts.get(2) : null;
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    boolean watch = Arrays.asList(query.split("&")).contains("watch=true");
    String verb = switch (method) {
      case "GET", "HEAD" -> name == null ? (watch ? "watch" : "list") : (watch ? "watch" : "get");
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> method.toLowerCase();
    };
    // As the apiserver's RequestInfoFactory: a list or watch with fieldSelector metadata.name=<x>
    // names the object <x>, so that RBAC resourceNames apply to it (an informer on one object).
    if (name == null && (verb.equals("list") || verb.equals("watch"))) {
      for (String param : query.split("&")) {
        if (param.startsWith("fieldSelector=")) {
          String selector = java.net.URLDecoder.decode(param.substring("fieldSelector=".length()),
              java.nio.charset.StandardCharsets.UTF_8);
          if (selector.startsWith("metadata.name=") && !selector.contains(",")) {
            name = selector.substring("metadata.name=".length());
          }
        }
      }
    }
    return new ApiCall(verb, group, resource, subresource, namespace, name);
  }
}
