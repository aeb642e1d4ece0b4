package io.autohealer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The {@code params} map of one health-check entry, read by the check's factory. Keys are matched
 * case-insensitively as in Go; every error names the full key path, e.g.
 * {@code healthcheck.worker[0].params.unhealthy-duration: "x" is not a duration (expected e.g. 30s, 5m)}.
 * Lists replace the default list, as in Go.
 */
public final class HealthCheckParams {
  private final String path;
  private final ObjectNode values;

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
    return reader().string(key, fallback);
  }

  public boolean bool(String key, boolean fallback) {
    return reader().bool(key, fallback);
  }

  public int integer(String key, int fallback) {
    return reader().integer(key, fallback);
  }

  /** A Go duration string, zero or more. */
  public Duration duration(String key, Duration fallback) {
    return reader().duration(key, fallback);
  }

  public List<String> stringList(String key, List<String> fallback) {
    return reader().stringList(key, fallback);
  }

  public List<Integer> integerList(String key, List<Integer> fallback) {
    return reader().integerList(key, fallback);
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
