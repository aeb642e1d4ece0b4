package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** One parsed HTTP request as the service handlers see it. */
record SimRequest(
    String method,
    String path,
    Map<String, String> pathParams,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    byte[] body) {

  String param(String name) {
    return pathParams.get(name);
  }

  String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Header lookup, case-insensitive as in HTTP. */
  String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  /** The body as JSON; an empty body is a missing node, a malformed one a 400. */
  JsonNode json() {
    if (body.length == 0) {
      return MissingNode.getInstance();
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("Malformed request body: " + e.getMessage());
    }
  }
}
