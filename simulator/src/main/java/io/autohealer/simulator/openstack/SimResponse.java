package io.autohealer.simulator.openstack;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer: status, extra headers and a body that Jackson serializes (null for none). */
final class SimResponse {
  private final int status;
  private final Object body;
  private final Map<String, String> headers = new LinkedHashMap<>();

  private SimResponse(int status, Object body) {
    this.status = status;
    this.body = body;
  }

  static SimResponse json(int status, Object body) {
    return new SimResponse(status, body);
  }

  static SimResponse empty(int status) {
    return new SimResponse(status, null);
  }

  SimResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  int status() {
    return status;
  }

  Object body() {
    return body;
  }

  Map<String, String> headers() {
    return headers;
  }
}
