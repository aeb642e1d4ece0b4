package io.autohealer.worker.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;

/**
 * An OpenStack call that did not get the answer it needs. {@code status} is the HTTP status, or 0
 * when no answer came (connection refused, timeout).
 */
public final class OpenStackApiException extends RuntimeException {
  private final String call;
  private final int status;
  private final String detail;

  public OpenStackApiException(String call, int status, String detail, Throwable cause) {
    super(message(call, status, detail), cause);
    this.call = call;
    this.status = status;
    this.detail = detail;
  }

  public OpenStackApiException(String call, int status, String detail) {
    this(call, status, detail, null);
  }

  /** E.g. "Magnum POST /clusters/k8s/actions/resize". */
  public String call() {
    return call;
  }

  public int status() {
    return status;
  }

  public String detail() {
    return detail;
  }

  /** Worth another try later: no answer, a server error, a conflict, or throttling. */
  public boolean isTransient() {
    return status == 0 || status == 408 || status == 409 || status == 429 || status >= 500;
  }

  private static String message(String call, int status, String detail) {
    String outcome = status == 0 ? "got no answer" : "answered HTTP " + status;
    return call + " " + outcome + (detail == null || detail.isBlank() ? "" : ": " + detail);
  }

  /** The human-readable part of an OpenStack error body in any service's shape. */
  static String detailOf(JsonNode body) {
    if (body == null || body.isMissingNode() || body.isNull()) {
      return null;
    }
    JsonNode magnum = body.path("errors").path(0);
    if (!magnum.isMissingNode()) {
      return text(magnum, "detail", "title");
    }
    JsonNode error = body.path("error");
    if (error.isObject()) {
      return text(error, "message", "title");
    }
    Iterator<JsonNode> values = body.elements();
    if (values.hasNext()) {
      JsonNode nova = values.next();
      if (nova.isObject() && nova.has("message")) {
        return nova.path("message").asText();
      }
    }
    return body.toString();
  }

  private static String text(JsonNode node, String first, String second) {
    return node.hasNonNull(first) ? node.path(first).asText() : node.path(second).asText(null);
  }
}
