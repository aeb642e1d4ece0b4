package io.autohealer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A map of the config tree at a known key path, with typed reads whose errors name the full key
 * path. Keys are already lower-cased (see {@link ConfigLoader}); remembers which keys were read so
 * that the rest can be reported as unknown.
 */
final class ConfigNode {
  private static final String DURATION_HINT = "(expected e.g. 30s, 5m)";

  private final String path;
  private final ObjectNode node;
  private final Set<String> read = new HashSet<>();

  ConfigNode(String path, ObjectNode node) {
    this.path = path;
    this.node = node;
  }

  String path() {
    return path;
  }

  ObjectNode node() {
    return node;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The value of a key; a key with an empty (null) value counts as absent, as in Go. */
  Optional<JsonNode> value(String key) {
    read.add(key);
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
  }

  Optional<String> optionalString(String key) {
    return value(key).map(v -> scalarText(keyPath(key), v));
  }

  String string(String key, String fallback) {
    return optionalString(key).orElse(fallback);
  }

  boolean bool(String key, boolean fallback) {
    return value(key).map(v -> toBoolean(keyPath(key), v)).orElse(fallback);
  }

  int integer(String key, int fallback) {
    return value(key).map(v -> toInteger(keyPath(key), v)).orElse(fallback);
  }

  /** A duration that may be zero but not negative. */
  Duration duration(String key, Duration fallback) {
    Duration value = value(key).map(v -> toDuration(keyPath(key), v)).orElse(fallback);
    if (value.isNegative()) {
      throw new ConfigException(keyPath(key) + ": must not be negative, got " + GoDuration.format(value));
    }
    return value;
  }

  Duration positiveDuration(String key, Duration fallback) {
    Duration value = duration(key, fallback);
    if (value.isZero()) {
      throw new ConfigException(keyPath(key) + ": must be greater than 0s");
    }
    return value;
  }

  List<String> stringList(String key, List<String> fallback) {
    return list(key, fallback, (itemPath, item) -> scalarText(itemPath, item));
  }

  List<Integer> integerList(String key, List<Integer> fallback) {
    return list(key, fallback, ConfigNode::toInteger);
  }

  Optional<ConfigNode> section(String key) {
    return value(key).map(v -> toSection(keyPath(key), v));
  }

  /** A list whose items are maps, e.g. {@code healthcheck.worker}. */
  List<ConfigNode> sectionList(String key) {
    return list(key, List.of(), ConfigNode::toSection);
  }

  /** Keys present in this map but never read: unknown to this version. */
  List<String> unreadKeyPaths() {
    List<String> unread = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!read.contains(name)) {
        unread.add(keyPath(name));
      }
    }
    return unread;
  }

  Set<String> keys() {
    Set<String> keys = new HashSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private <T> List<T> list(String key, List<T> fallback, ItemReader<T> reader) {
    Optional<JsonNode> value = value(key);
    if (value.isEmpty()) {
      return fallback;
    }
    String listPath = keyPath(key);
    if (!value.get().isArray()) {
      throw new ConfigException(listPath + ": expected a list, got " + describe(value.get()));
    }
    List<T> items = new ArrayList<>();
    for (int i = 0; i < value.get().size(); i++) {
      items.add(reader.read(listPath + "[" + i + "]", value.get().get(i)));
    }
    return List.copyOf(items);
  }

  @FunctionalInterface
  private interface ItemReader<T> {
    T read(String path, JsonNode value);
  }

  static ConfigNode toSection(String path, JsonNode value) {
    if (!value.isObject()) {
      throw new ConfigException(path + ": expected a map of keys, got " + describe(value));
    }
    return new ConfigNode(path, (ObjectNode) value);
  }

  /** Strings, and numbers written without quotes (Go's weak decoding turns them into strings). */
  static String scalarText(String path, JsonNode value) {
    if (value.isTextual() || value.isNumber()) {
      return value.asText();
    }
    throw new ConfigException(path + ": expected a string, got " + describe(value));
  }

  /** YAML booleans, and the strings Go's {@code strconv.ParseBool} accepts. */
  static boolean toBoolean(String path, JsonNode value) {
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isTextual()) {
      switch (value.textValue()) {
        case "1", "t", "T", "true", "TRUE", "True":
          return true;
        case "0", "f", "F", "false", "FALSE", "False":
          return false;
        default:
          break;
      }
    }
    throw new ConfigException(path + ": " + describe(value) + " is not a boolean (expected true or false)");
  }

  static int toInteger(String path, JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      return value.intValue();
    }
    throw new ConfigException(path + ": " + describe(value) + " is not an integer");
  }

  static Duration toDuration(String path, JsonNode value) {
    Function<JsonNode, ConfigException> invalid =
        v -> new ConfigException(path + ": " + describe(v) + " is not a duration " + DURATION_HINT);
    if (!value.isTextual()) {
      // Go would read a bare number as nanoseconds, which is never what an operator meant.
      throw invalid.apply(value);
    }
    return GoDuration.parse(value.textValue().trim()).orElseThrow(() -> invalid.apply(value));
  }

  static String describe(JsonNode value) {
    if (value.isTextual()) {
      return '"' + value.textValue() + '"';
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isObject()) {
      return "a map";
    }
    return value.asText();
  }
}
