package io.autohealer.worker.kubernetes;

import static io.autohealer.worker.kubernetes.KubernetesFailures.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes side of a repair, on fabric8. Stateless and thread-safe. Every write is a JSON
 * merge patch or a call that needs no object read before: nothing sends back a stale copy of a
 * Node (the Go service's uncordon did, and lost to every kubelet status update).
 */
public final class KubernetesActivitiesImpl implements KubernetesActivities {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  // A JSON merge patch sends no resourceVersion, so it cannot conflict with the kubelet's status
  // updates; kubectl's strategic merge patch would do the same but is not served by every server.
  private static final String CORDON_PATCH = "{\"spec\":{\"unschedulable\":true}}";
  private static final String UNCORDON_PATCH = "{\"spec\":{\"unschedulable\":null}}";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param notReadyPodGrace how long a pod evicted from a node that is not Ready may stay before
   *     it is deleted with no grace period. The default, 30 s, is the pods' default termination
   *     grace: a kubelet that is alive but NotReady still ends a pod in that time the ordinary way.
   */
  public record Settings(Duration notReadyPodGrace) {
    public Settings {
      Objects.requireNonNull(notReadyPodGrace, "notReadyPodGrace");
    }

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(30));
    }
  }

  private final KubernetesClient client;
  private final NodeDrainer drainer;
  private final NodeWaits waits;
  private final NodeEvents events;

  public KubernetesActivitiesImpl(KubernetesClient client) {
    this(client, Settings.defaults());
  }

  public KubernetesActivitiesImpl(KubernetesClient client, Settings settings) {
    this.client = Objects.requireNonNull(client, "client");
    // Shares the transport; its own 429/5xx retries are off, so a budget's 429 comes back at once.
    KubernetesClient noRetry = client.newClient(
            new RequestConfigBuilder(client.getConfiguration().getRequestConfig()).withRequestRetryBackoffLimit(0).build())
        .adapt(KubernetesClient.class);
    this.drainer = new NodeDrainer(client, noRetry, settings.notReadyPodGrace());
    this.waits = new NodeWaits(client);
    this.events = new NodeEvents(client);
  }

  @Override
  public NodeHealth inspectNode(InspectNode request) {
    Node node = getNode(request.node());
    if (node == null) {
      return new NodeHealth(false, false, NodeConditions.MISSING, false, null, false, null);
    }
    return new NodeHealth(
        true,
        NodeConditions.isReady(node),
        NodeConditions.readyStatus(node),
        NodeConditions.isCordoned(node),
        ServerIds.of(node),
        NodeMarks.optedOut(node),
        NodeMarks.rebootedAt(node));
  }

  @Override
  public CordonResult cordon(Cordon request) {
    String name = request.node();
    Node node = getNode(name);
    if (node == null) {
      throw KubernetesFailures.nodeNotFound(name, "cordon");
    }
    if (NodeConditions.isCordoned(node)) {
      return new CordonResult(false);
    }
    call("cordon node " + name,
        () -> client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), CORDON_PATCH));
    log.info("Cordoned node {}", name);
    return new CordonResult(true);
  }

  @Override
  public UncordonResult uncordon(Uncordon request) {
    String name = request.node();
    Node node = getNode(name);
    if (node == null || !NodeConditions.isCordoned(node)) {
      return new UncordonResult(false);
    }
    if (!patchIfPresent("uncordon node " + name, name, UNCORDON_PATCH)) {
      return new UncordonResult(false);
    }
    log.info("Uncordoned node {}", name);
    return new UncordonResult(true);
  }

  @Override
  public DrainResult drainNode(Drain request) {
    return drainer.drain(request);
  }

  @Override
  public NodeReadyResult awaitNodeReady(AwaitNodeReady request) {
    return waits.awaitNodeReady(request);
  }

  @Override
  public CsiDetachResult awaitCsiDetach(AwaitCsiDetach request) {
    return waits.awaitCsiDetach(request);
  }

  @Override
  public MasterCount countMasters(CountMasters request) {
    // Two exists-selectors, as selectors cannot say "or"; the role labels have empty values,
    // which "key=" selectors would miss on some servers (the fabric8 mock returns every node).
    Map<String, Node> masters = new TreeMap<>();
    for (String label : List.of(NodeLabels.MASTER, NodeLabels.CONTROL_PLANE)) {
      call("list nodes labelled " + label, () -> client.nodes().withLabel(label).list()).getItems()
          .forEach(n -> masters.put(n.getMetadata().getName(), n));
    }
    List<String> notReady = masters.values().stream()
        .filter(n -> !NodeConditions.isReady(n))
        .map(n -> n.getMetadata().getName())
        .toList();
    return new MasterCount(masters.size(), masters.size() - notReady.size(), notReady);
  }

  @Override
  public RejoinResult awaitRejoin(AwaitRejoin request) {
    return waits.awaitRejoin(request);
  }

  @Override
  public NodeDeleted deleteNode(DeleteNode request) {
    String name = request.node();
    boolean deleted = !call("delete node " + name, () -> client.nodes().withName(name).delete()).isEmpty();
    if (deleted) {
      log.info("Deleted node {}", name);
    }
    return new NodeDeleted(deleted);
  }

  @Override
  public Annotated annotateNode(AnnotateNode request) {
    String name = request.node();
    Map<String, String> wanted = request.annotations() == null ? Map.of() : request.annotations();
    Node node = getNode(name);
    if (node == null || wanted.isEmpty()) {
      return new Annotated(false);
    }
    Map<String, String> current = node.getMetadata().getAnnotations() == null
        ? Map.of() : node.getMetadata().getAnnotations();
    // LinkedHashMap: a null value must reach the patch, where it removes the annotation.
    Map<String, String> changes = new LinkedHashMap<>();
    wanted.forEach((key, value) -> {
      boolean same = Objects.equals(value, current.get(key));
      if (!same) {
        changes.put(key, value);
      }
    });
    if (changes.isEmpty()) {
      return new Annotated(false);
    }
    String patch = annotationsPatch(changes);
    if (!patchIfPresent("annotate node " + name, name, patch)) {
      return new Annotated(false);
    }
    log.info("Annotated node {}: {}", name, changes);
    return new Annotated(true);
  }

  @Override
  public EventRecorded recordEvent(RecordEvent request) {
    return events.record(request);
  }

  /** Applies a JSON merge patch to the node; false when the node went away in the meantime. */
  private boolean patchIfPresent(String operation, String name, String patch) {
    try {
      client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw KubernetesFailures.isRetryable(e) ? e : KubernetesFailures.permanent(operation, e);
    }
  }

  /** {"metadata":{"annotations":{...}}}, with nulls kept: in a merge patch they remove the key. */
  private static String annotationsPatch(Map<String, String> changes) {
    ObjectNode annotations = JSON.createObjectNode();
    changes.forEach(annotations::put);
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").set("annotations", annotations);
    return patch.toString();
  }

  private Node getNode(String name) {
    return call("get node " + name, () -> client.nodes().withName(name).get());
  }
}
