package io.autohealer.worker.openstack;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.api.types.ServiceType;
import org.openstack4j.core.transport.HttpResponse;
import org.openstack4j.openstack.internal.BaseOpenStackService;

/**
 * Raw JSON calls for what openstack4j lacks, made through openstack4j's own session, token, 401
 * re-authentication, endpoint catalog and connector. Every answer comes back as a status and a
 * parsed body; a call that gets no answer throws an {@link OpenStackApiException} with status 0.
 * Call it on a thread that {@link OpenStackSession#client()} has bound: openstack4j sessions are
 * thread-local.
 */
abstract class JsonApi extends BaseOpenStackService {
  static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The status and parsed body of one call (a missing node when there was no body). */
  record Reply(int status, JsonNode body) {}

  JsonApi(ServiceType serviceType) {
    super(serviceType);
  }

  /** Adds the headers a service needs on every call (e.g. a microversion). */
  void decorate(Invocation<Void> invocation) {}

  final Reply send(String call, Invocation<Void> invocation) {
    invocation.header("Accept", "application/json").header("User-Agent", "autohealer");
    decorate(invocation);
    HttpResponse response;
    try {
      response = invocation.executeWithResponse();
    } catch (ResponseException e) {
      // Timeouts and refused connections come as a ConnectionException with status 0.
      throw new OpenStackApiException(call, e.getStatus(), e.getMessage(), e);
    }
    try (response) {
      return new Reply(response.getStatus(), readBody(response));
    } catch (IOException e) {
      throw new OpenStackApiException(call, 0, "reading the answer failed: " + e.getMessage(), e);
    }
  }

  /** Throws unless the reply has one of the given statuses. */
  static void expect(String call, Reply reply, int... statuses) {
    for (int status : statuses) {
      if (reply.status() == status) {
        return;
      }
    }
    throw new OpenStackApiException(call, reply.status(), OpenStackApiException.detailOf(reply.body()));
  }

  static <T> T convert(String call, JsonNode body, Class<T> type) {
    try {
      return JSON.treeToValue(body, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new OpenStackApiException(call, 200, "unexpected answer: " + e.getMessage(), e);
    }
  }

  static <T> T convert(String call, JsonNode body, TypeReference<T> type) {
    try {
      return JSON.readerFor(type).readValue(body);
    } catch (IOException | IllegalArgumentException e) {
      throw new OpenStackApiException(call, 200, "unexpected answer: " + e.getMessage(), e);
    }
  }

  static String write(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a request body", e);
    }
  }

  private static JsonNode readBody(HttpResponse response) throws IOException {
    try (InputStream in = response.getInputStream()) {
      if (in == null) {
        return MissingNode.getInstance();
      }
      byte[] bytes = in.readAllBytes();
      if (bytes.length == 0) {
        return MissingNode.getInstance();
      }
      try {
        return JSON.readTree(bytes);
      } catch (IOException notJson) {
        return JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
      }
    }
  }
}
