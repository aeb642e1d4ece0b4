package io.autohealer.simulator.openstack;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP error answer; each service renders it in its own error shape. */
final class ApiException extends RuntimeException {
  private final int status;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private Object body;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }

  Map<String, String> headers() {
    return headers;
  }

  ApiException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** A body that replaces the service's usual error shape (for answers with their own shape). */
  Object body() {
    return body;
  }

  ApiException withBody(Object body) {
    this.body = body;
    return this;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, message);
  }
}
