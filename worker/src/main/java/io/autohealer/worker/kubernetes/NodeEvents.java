package io.autohealer.worker.kubernetes;

import io.autohealer.workflows.activities.KubernetesActivities.EventRecorded;
import io.autohealer.workflows.activities.KubernetesActivities.RecordEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about Nodes, where {@code kubectl describe node} and {@code kubectl get
 * events} show them: in namespace {@code default} (Nodes are cluster-scoped), about the Node by
 * name and uid, from component {@value #COMPONENT}. fabric8 has no event recorder, so this is a
 * minimal one: no aggregation, one Event per call. Best effort: a failure is logged, never thrown.
 */
final class NodeEvents {
  private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);
  static final String COMPONENT = "magnum-autohealer";
  static final String NAMESPACE = "default";
  static final String NORMAL = "Normal";
  static final String WARNING = "Warning";
  /** The apiserver's limits (note, reason, reporting instance). */
  private static final int MESSAGE_LIMIT = 1024;
  private static final int REASON_LIMIT = 128;
  private static final int INSTANCE_LIMIT = 128;

  private final KubernetesClient client;
  private final String instance;

  NodeEvents(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.instance = truncate(hostname(), INSTANCE_LIMIT);
  }

  EventRecorded record(RecordEvent request) {
    try {
      // The uid ties the Event to this incarnation of the Node; a gone Node still gets its Event.
      Node node = client.nodes().withName(request.node()).get();
      String uid = node == null ? null : node.getMetadata().getUid();
      Instant now = Instant.now();
      String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
      Event event = new EventBuilder()
          .withNewMetadata()
          // client-go's naming: the object's name and the time in hex nanoseconds
          .withName("%s.%x".formatted(request.node(), now.getEpochSecond() * 1_000_000_000L + now.getNano()))
          .withNamespace(NAMESPACE)
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion("v1").withKind("Node").withName(request.node()).withUid(uid).build())
          .withType(type(request.type()))
          .withReason(truncate(request.reason(), REASON_LIMIT))
          .withMessage(truncate(request.message(), MESSAGE_LIMIT))
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .withReportingInstance(instance)
          .withFirstTimestamp(timestamp)
          .withLastTimestamp(timestamp)
          .withCount(1)
          .build();
      client.v1().events().inNamespace(NAMESPACE).resource(event).create();
      return new EventRecorded(true);
    } catch (RuntimeException e) {
      log.warn("Could not record Event {} about node {}: {}", request.reason(), request.node(), e.toString());
      return new EventRecorded(false);
    }
  }

  /** Normal or Warning, the only types the apiserver accepts; anything else is recorded as Normal. */
  private static String type(String requested) {
    return WARNING.equalsIgnoreCase(requested) ? WARNING : NORMAL;
  }

  private static String truncate(String text, int limit) {
    if (text == null || text.length() <= limit) {
      return text;
    }
    return text.substring(0, limit - 3) + "...";
  }

  /** The pod name in a cluster (HOSTNAME), else the machine's name. */
  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
