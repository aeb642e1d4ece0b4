package io.autohealer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** YAML text to a Jackson tree whose map keys are lower-cased, as viper and mapstructure match them. */
final class YamlTrees {
  // yes/no/on/off stay strings, as in Go's yaml.v3 (YAML 1.2); a region named "no" stays "no".
  // A key given twice is an error, as in yaml.v3, not a silent "last one wins".
  private static final YAMLMapper MAPPER =
      YAMLMapper.builder()
          .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private YamlTrees() {}

  /** Parses YAML; an empty document gives a {@link MissingNode}. */
  static JsonNode parse(String yaml, String source) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(source + ": invalid YAML" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }
    return tree == null ? MissingNode.getInstance() : lowerCaseKeys(tree, "");
  }

  static ObjectNode emptyMap() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static JsonNode lowerCaseKeys(JsonNode node, String path) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      Map<String, String> spelledAs = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String key = field.getKey().toLowerCase(Locale.ROOT);
        String childPath = path.isEmpty() ? key : path + "." + key;
        String earlier = spelledAs.putIfAbsent(key, field.getKey());
        if (earlier != null) {
          throw new ConfigException(
              childPath + ": given twice (as \"" + earlier + "\" and \"" + field.getKey()
                  + "\"; keys are case-insensitive)");
        }
        out.set(key, lowerCaseKeys(field.getValue(), childPath));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < node.size(); i++) {
        out.add(lowerCaseKeys(node.get(i), path + "[" + i + "]"));
      }
      return out;
    }
    return node;
  }
}
