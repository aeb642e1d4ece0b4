package io.autohealer.simulator.openstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The simulator's JSON mapper and the timestamp formats the real services use. */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** Keystone: 2026-11-24T04:12:14.000000Z. */
  private static final DateTimeFormatter KEYSTONE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** Nova and Heat: 2026-11-24T04:12:14Z. */
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  /** Magnum: 2026-11-24T04:12:14+00:00. */
  private static final DateTimeFormatter MAGNUM =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static String keystoneTime(Instant t) {
    return KEYSTONE.format(t);
  }

  static String novaTime(Instant t) {
    return t == null ? null : SECONDS.format(t);
  }

  static String magnumTime(Instant t) {
    return t == null ? null : MAGNUM.format(t);
  }
}
