package io.autohealer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code params} map of one health-check entry, read by the check's factory. Keys are matched
 * case-insensitively as in Go; every error names the full key path, e.g.
 * {@code healthcheck.worker[0].params.unhealthy-duration: "x" is not a duration (expected e.g. 30s, 5m)}.
 * Lists replace the default list, as in Go.
 */
public final class HealthCheckParams {
  private final String path;
  private final ObjectNode values;
  /** The keys a factory asked for; any other key is unknown to the check (a typo, say). */
  private final Set<String> read = ConcurrentHashMap.newKeySet();

  HealthCheckParams(String path, ObjectNode values) {
    this.path = path;
    this.values = values.deepCopy();
  }

  /** Params given as a YAML map text, for tests and tools, e.g. {@code "types: [Ready]"}. */
  public static HealthCheckParams ofYaml(String path, String yaml) {
    JsonNode tree = YamlTrees.parse(yaml, path);
    if (tree.isMissingNode() || tree.isNull()) {
      return new HealthCheckParams(path, YamlTrees.emptyMap());
    }
    return new HealthCheckParams(path, ConfigNode.toSection(path, tree).node());
  }

  /** Key path of these params, e.g. {@code healthcheck.worker[0].params}. */
  public String path() {
    return path;
  }

  /** The (lower-cased) keys present. */
  public Set<String> keys() {
    return reader().keys();
  }

  public String string(String key, String fallback) {
    read.add(key);
    return reader().string(key, fallback);
  }

  public boolean bool(String key, boolean fallback) {
    read.add(key);
    return reader().bool(key, fallback);
  }

  public int integer(String key, int fallback) {
    read.add(key);
    return reader().integer(key, fallback);
  }

  /** A Go duration string, zero or more. */
  public Duration duration(String key, Duration fallback) {
    read.add(key);
    return reader().duration(key, fallback);
  }

  public List<String> stringList(String key, List<String> fallback) {
    read.add(key);
    return reader().stringList(key, fallback);
  }

  public List<Integer> integerList(String key, List<Integer> fallback) {
    read.add(key);
    return reader().integerList(key, fallback);
  }

  /** Paths of the keys present that were never asked for, e.g. a misspelt {@code unhealty-duration}. */
  public List<String> unreadKeyPaths() {
    return keys().stream().filter(k -> !read.contains(k)).sorted().map(k -> path + "." + k).toList();
  }

  /** An error about one param, for checks that validate more than the types. */
  public ConfigException invalid(String key, String problem) {
    return new ConfigException(reader().keyPath(key) + ": " + problem);
  }

  private ConfigNode reader() {
    return new ConfigNode(path, values);
  }

  @Override
  public String toString() {
    return path + "=" + values;
  }
}
