package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The simulated services, each rendering errors the way the real one does. */
enum ApiService {
  KEYSTONE {
    @Override
    ObjectNode error(int status, String message) {
      ObjectNode error = Json.object();
      error.putObject("error").put("code", status).put("title", title(status)).put("message", message);
      return error;
    }
  },
  NOVA {
    @Override
    ObjectNode error(int status, String message) {
      ObjectNode error = Json.object();
      error.putObject(novaKey(status)).put("code", status).put("message", message);
      return error;
    }
  },
  CINDER {
    @Override
    ObjectNode error(int status, String message) {
      return NOVA.error(status, message);
    }
  },
  MAGNUM {
    @Override
    ObjectNode error(int status, String message) {
      ObjectNode error = Json.object();
      error.putArray("errors").addObject()
          .put("request_id", "")
          .put("code", status < 500 ? "client" : "server")
          .put("status", status)
          .put("title", message)
          .put("detail", message.endsWith(".") ? message : message + ".")
          .putArray("links");
      return error;
    }
  },
  HEAT {
    @Override
    ObjectNode error(int status, String message) {
      ObjectNode error = Json.object()
          .put("explanation", message)
          .put("code", status)
          .put("title", title(status));
      error.putObject("error").put("message", message).putNull("traceback").put("type", heatType(status));
      return error;
    }
  };

  /** The body of an error answer with this status. */
  abstract ObjectNode error(int status, String message);

  /** keystonemiddleware answers every service's unauthenticated call in Keystone's shape. */
  static ObjectNode unauthorized() {
    return KEYSTONE.error(401, "The request you have made requires authentication.");
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 406 -> "Not Acceptable";
      case 409 -> "Conflict";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }

  private static String novaKey(int status) {
    return switch (status) {
      case 400 -> "badRequest";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "itemNotFound";
      case 409 -> "conflictingRequest";
      case 413, 429 -> "overLimit";
      case 503 -> "serviceUnavailable";
      default -> "computeFault";
    };
  }

  private static String heatType(int status) {
    return switch (status) {
      case 400 -> "HTTPBadRequest";
      case 404 -> "EntityNotFound";
      case 409 -> "HTTPConflict";
      default -> "HTTPInternalServerError";
    };
  }
}
