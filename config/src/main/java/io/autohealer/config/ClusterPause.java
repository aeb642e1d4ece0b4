package io.autohealer.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster-wide pause of the healer: while it is set, the detector starts no new repair (running
 * repairs are paused by their own {@code pause} signal). It lives in Kubernetes, not in Magnum or
 * Temporal, so that it can be set and read with nothing but the cluster's API: the annotation
 * {@value #ANNOTATION} on the ConfigMap {@value #CONFIG_MAP} (namespace {@value #DEFAULT_NAMESPACE}
 * unless configured otherwise).
 *
 * <p>The annotation's value is JSON, {@code {"by":"alice","reason":"maintenance","at":"2026-11-25T03:00:00Z"}}
 * as {@code autohealer repairs pause --all} writes it. Any other value also means paused (its text
 * is then the reason), so that {@code kubectl annotate configmap magnum-autohealer-control
 * autohealer.openstack.org/paused="etcd maintenance"} works by hand; only an empty value or {@code
 * false} means not paused.
 *
 * @param by who paused (e.g. the CLI user), or null when unknown
 * @param reason why, or null
 * @param at when, or null when unknown
 */
public record ClusterPause(String by, String reason, Instant at) {
  /** The ConfigMap holding the healer's operator controls. */
  public static final String CONFIG_MAP = "magnum-autohealer-control";
  /** Where {@link #CONFIG_MAP} is unless configured otherwise. */
  public static final String DEFAULT_NAMESPACE = "kube-system";
  /** Present (and not empty or {@code false}) on {@link #CONFIG_MAP}: the healer is paused. */
  public static final String ANNOTATION = "autohealer.openstack.org/paused";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The annotation value that records this pause. */
  public String toAnnotationValue() {
    ObjectNode node = JSON.createObjectNode();
    node.put("by", by);
    node.put("reason", reason);
    node.put("at", at == null ? null : at.toString());
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The pause an annotation value records; empty when the value means not paused. */
  public static Optional<ClusterPause> fromAnnotationValue(String value) {
    if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
      return Optional.empty();
    }
    String text = value.trim();
    if (text.startsWith("{")) {
      try {
        JsonNode node = JSON.readTree(text);
        if (node.isObject()) {
          return Optional.of(new ClusterPause(field(node, "by"), field(node, "reason"), instant(field(node, "at"))));
        }
      } catch (JsonProcessingException notJson) {
        // fall through: written by hand, the whole text is the reason
      }
    }
    return Optional.of(new ClusterPause(null, text, null));
  }

  /** The pause a ConfigMap records; empty when it is null or not paused. */
  public static Optional<ClusterPause> fromConfigMap(ConfigMap configMap) {
    if (configMap == null || configMap.getMetadata() == null) {
      return Optional.empty();
    }
    Map<String, String> annotations = configMap.getMetadata().getAnnotations();
    return annotations == null ? Optional.empty() : fromAnnotationValue(annotations.get(ANNOTATION));
  }

  /** One line for people: {@code paused by alice at 2026-11-25T03:00:00Z: maintenance}. */
  public String describe() {
    StringBuilder text = new StringBuilder("paused");
    if (by != null) {
      text.append(" by ").append(by);
    }
    if (at != null) {
      text.append(" at ").append(at);
    }
    if (reason != null) {
      text.append(": ").append(reason);
    }
    return text.toString();
  }

  private static String field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
