package io.autohealer.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses Kubernetes YAML into fabric8's typed model and fails on anything the model does not
 * know: a kind it has no class for, or a field it has no property for. fabric8's model classes
 * keep unknown fields in {@code additionalProperties} instead of failing (so Jackson's
 * FAIL_ON_UNKNOWN_PROPERTIES never fires); this walks every object parsed and requires those maps
 * to be empty, naming the path of each unknown field.
 */
final class StrictManifests {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

  private StrictManifests() {}

  /** Every document of a multi-document YAML text, typed; {@code source} names it in errors. */
  static List<HasMetadata> parse(String yaml, String source) {
    List<HasMetadata> resources = new ArrayList<>();
    int index = 0;
    try {
      for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
        index++;
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String where = source + " document " + index + " (" + doc.path("kind").asText("?") + " "
            + doc.path("metadata").path("name").asText("?") + ")";
        KubernetesResource parsed = SERIALIZATION.unmarshal(doc.toString(), KubernetesResource.class);
        if (parsed instanceof GenericKubernetesResource || !(parsed instanceof HasMetadata resource)) {
          throw new AssertionError(where + ": kind " + doc.path("apiVersion").asText() + "/" + doc.path("kind").asText()
              + " is not one fabric8's model knows");
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(resource, "", unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
          throw new AssertionError(where + ": unknown fields " + unknown);
        }
        resources.add(resource);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": not YAML: " + e.getMessage(), e);
    }
    return resources;
  }

  private static void unknownFields(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
      return;
    }
    if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))
          || getter.getDeclaringClass() == Object.class || Set.of("getClass").contains(getter.getName())) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> unknown.add(path.isEmpty() ? String.valueOf(k) : path + "." + k));
        }
        continue;
      }
      String name = getter.getName().startsWith("is") ? getter.getName().substring(2) : getter.getName().substring(3);
      unknownFields(child, path + (path.isEmpty() ? "" : ".") + Character.toLowerCase(name.charAt(0)) + name.substring(1),
          unknown, seen);
    }
  }
}
