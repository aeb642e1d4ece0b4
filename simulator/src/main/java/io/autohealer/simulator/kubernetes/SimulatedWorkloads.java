package io.autohealer.simulator.kubernetes;

import io.autohealer.simulator.world.SimTiming;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.worker.kubernetes.NodeLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workloads on the simulated cluster's nodes, and the part of Kubernetes that keeps them, so that
 * a drain has something to do and to respect:
 *
 * <ul>
 *   <li>a Deployment's ReplicaSet {@code apps/web} with a PodDisruptionBudget that allows one pod
 *       unavailable: its pods are spread over schedulable workers, an evicted one is replaced on
 *       another worker and turns Ready after a start-up delay, so the budget first refuses and
 *       later allows the next eviction. The budget lets unhealthy pods go ({@code
 *       unhealthyPodEvictionPolicy: AlwaysAllow}, as a well-run cluster sets it): with the default,
 *       pods of a dead node that hosts two replicas could never be evicted;
 *   <li>a StatefulSet {@code apps/db} whose pods each use a Cinder CSI volume: a VolumeAttachment
 *       exists while the pod is on a node, and the CSI driver removes it some time after the pod
 *       is gone from there; pod {@code db-N} is made again only once the old one is gone;
 *   <li>a DaemonSet pod {@code kube-system/csi-cinder-nodeplugin-<node>} on every node, and a mirror
 *       pod {@code kube-system/kube-apiserver-<node>} on every master whose kubelet runs;
 *   <li>the node controller's part: pods on a node that is not Ready turn NotReady; the kubelet's:
 *       a pod left terminating while its kubelet was down goes once it runs again; the pod
 *       garbage collector's: pods bound to a Node that no longer exists go.
 * </ul>
 *
 * Pods of a node whose kubelet stops stay where they are until they are evicted and deleted with
 * no grace period, or their Node is deleted (see {@link PodTerminations}). The controllers look at
 * the cluster every {@link Options#resync()} on one thread, with plain list calls.
 */
public final class SimulatedWorkloads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedWorkloads.class);
  public static final String APPS = "apps";
  public static final String KUBE_SYSTEM = "kube-system";
  public static final String WEB = "web";
  public static final String DB = "db";
  public static final String NODE_PLUGIN = "csi-cinder-nodeplugin";
  public static final String API_SERVER = "kube-apiserver";
  public static final String CSI_DRIVER = "cinder.csi.openstack.org";
  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
  private static final String APP = "app";
  private static final Duration MIN_PERIOD = Duration.ofMillis(20);
  private static final Set<String> FINISHED = Set.of("Succeeded", "Failed");

  /**
   * Simulated durations (the world's speed scales them).
   *
   * @param webReplicas replicas of {@code apps/web}; its budget allows one unavailable
   * @param dbReplicas pods of {@code apps/db}, each with its own CSI volume
   * @param podStartup from a pod's creation to it being Ready
   * @param csiDetachDelay from the last pod using a volume leaving a node to the CSI driver having
   *     detached it there (its VolumeAttachment deleted)
   * @param resync how often the controllers look at the cluster
   */
  public record Options(int webReplicas, int dbReplicas, Duration podStartup, Duration csiDetachDelay, Duration resync) {
    public Options {
      Objects.requireNonNull(podStartup, "podStartup");
      Objects.requireNonNull(csiDetachDelay, "csiDetachDelay");
      Objects.requireNonNull(resync, "resync");
    }

    public static Options defaults() {
      return new Options(4, 2, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(2));
    }
  }

  private final KubernetesSimulator api;
  private final KubernetesClient client;
  private final SimTiming timing;
  private final Options options;
  private final ScheduledExecutorService scheduler;
  /** By VolumeAttachment name: when its volume stopped being used on its node. Scheduler thread only. */
  private final Map<String, Instant> unusedSince = new HashMap<>();
  private final Map<String, OwnerReference> owners = new HashMap<>();
  /** By pod uid: when this simulation created it, more precisely than creationTimestamp. */
  private final Map<String, Instant> createdAt = new HashMap<>();
  private volatile boolean closed;

  public SimulatedWorkloads(KubernetesSimulator api, SimTiming timing, Options options) {
    this.api = Objects.requireNonNull(api, "api");
    this.client = api.client();
    this.timing = Objects.requireNonNull(timing, "timing");
    this.options = Objects.requireNonNull(options, "options");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "simulated-workloads");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Creates the workloads' controllers, volumes and budget, and starts keeping them. */
  public SimulatedWorkloads start() {
    try {
      scheduler.submit(this::createControllers).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the workloads", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create the workloads", e.getCause());
    }
    long period = Math.max(MIN_PERIOD.toNanos(), timing.scaled(options.resync()).toNanos());
    scheduler.scheduleWithFixedDelay(this::reconcileSafely, 0, period, TimeUnit.NANOSECONDS);
    return this;
  }

  /** Waits until {@code condition} holds for all pods of the cluster and returns them. */
  public List<Pod> awaitPods(String description, Predicate<List<Pod>> condition, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
      if (condition.test(pods)) {
        return pods;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException("timed out after %s waiting for %s".formatted(timeout, description));
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** Waits until every replica of web and db is Ready and every node has its DaemonSet pod. */
  public List<Pod> awaitSettled(Duration timeout) throws TimeoutException, InterruptedException {
    return awaitPods("the workloads to be Ready", pods -> {
      List<Node> nodes = client.nodes().list().getItems();
      return ready(pods, WEB) >= options.webReplicas()
          && ready(pods, DB) >= options.dbReplicas()
          && nodes.stream().allMatch(n -> pods.stream().anyMatch(p -> isDaemonPodOf(p, n.getMetadata().getName())));
    }, timeout);
  }

  /** Whether {@code pod} is Ready (its Ready condition is True) and not terminating. */
  public static boolean isReady(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- set-up ---------------------------------------------------------------------------------

  private void createControllers() {
    for (String ns : List.of(APPS, KUBE_SYSTEM)) {
      ensure(() -> client.namespaces().withName(ns).get(),
          () -> client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create());
    }
    owners.put(WEB, owner(ensure(() -> client.apps().replicaSets().inNamespace(APPS).withName(WEB).get(),
        () -> client.apps().replicaSets().inNamespace(APPS).resource(new ReplicaSetBuilder()
            .withNewMetadata().withName(WEB).withNamespace(APPS).addToLabels(APP, WEB).endMetadata()
            .withNewSpec().withReplicas(options.webReplicas())
            .withNewSelector().addToMatchLabels(APP, WEB).endSelector()
            .withNewTemplate().withNewMetadata().addToLabels(APP, WEB).endMetadata().withSpec(podSpec(null)).endTemplate()
            .endSpec().build()).create())));
    ensure(() -> client.policy().v1().podDisruptionBudget().inNamespace(APPS).withName(WEB).get(),
        () -> client.policy().v1().podDisruptionBudget().inNamespace(APPS).resource(new PodDisruptionBudgetBuilder()
            .withNewMetadata().withName(WEB).withNamespace(APPS).endMetadata()
            .withNewSpec().withMaxUnavailable(new IntOrString(1)).withUnhealthyPodEvictionPolicy("AlwaysAllow")
            .withNewSelector().addToMatchLabels(APP, WEB).endSelector().endSpec()
            .build()).create());
    owners.put(DB, owner(ensure(() -> client.apps().statefulSets().inNamespace(APPS).withName(DB).get(),
        () -> client.apps().statefulSets().inNamespace(APPS).resource(new StatefulSetBuilder()
            .withNewMetadata().withName(DB).withNamespace(APPS).addToLabels(APP, DB).endMetadata()
            .withNewSpec().withReplicas(options.dbReplicas()).withServiceName(DB)
            .withNewSelector().addToMatchLabels(APP, DB).endSelector()
            .withNewTemplate().withNewMetadata().addToLabels(APP, DB).endMetadata().withSpec(podSpec(null)).endTemplate()
            .endSpec().build()).create())));
    for (int i = 0; i < options.dbReplicas(); i++) {
      String pv = volumeName(i);
      String claim = claimName(i);
      String handle = volumeHandle(i);
      ensure(() -> client.persistentVolumes().withName(pv).get(),
          () -> client.persistentVolumes().resource(new PersistentVolumeBuilder()
              .withNewMetadata().withName(pv).endMetadata()
              .withNewSpec().withCapacity(Map.of("storage", new Quantity("1Gi"))).withAccessModes("ReadWriteOnce")
              .withNewCsi().withDriver(CSI_DRIVER).withVolumeHandle(handle).endCsi()
              .withNewClaimRef().withNamespace(APPS).withName(claim).endClaimRef()
              .endSpec()
              .withNewStatus().withPhase("Bound").endStatus()
              .build()).create());
      ensure(() -> client.persistentVolumeClaims().inNamespace(APPS).withName(claim).get(),
          () -> client.persistentVolumeClaims().inNamespace(APPS).resource(new PersistentVolumeClaimBuilder()
              .withNewMetadata().withName(claim).withNamespace(APPS).endMetadata()
              .withNewSpec().withVolumeName(pv).withAccessModes("ReadWriteOnce")
              .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
              .withNewStatus().withPhase("Bound").endStatus()
              .build()).create());
    }
    owners.put(NODE_PLUGIN, owner(ensure(() -> client.apps().daemonSets().inNamespace(KUBE_SYSTEM).withName(NODE_PLUGIN).get(),
        () -> client.apps().daemonSets().inNamespace(KUBE_SYSTEM).resource(new DaemonSetBuilder()
            .withNewMetadata().withName(NODE_PLUGIN).withNamespace(KUBE_SYSTEM).endMetadata()
            .withNewSpec().withNewSelector().addToMatchLabels(APP, NODE_PLUGIN).endSelector()
            .withNewTemplate().withNewMetadata().addToLabels(APP, NODE_PLUGIN).endMetadata().withSpec(podSpec(null)).endTemplate()
            .endSpec().build()).create())));
  }

  private static <T> T ensure(Supplier<T> get, Supplier<T> create) {
    T existing = get.get();
    return existing != null ? existing : create.get();
  }

  private static OwnerReference owner(HasMetadata controller) {
    return new OwnerReferenceBuilder()
        .withApiVersion(controller.getApiVersion()).withKind(controller.getKind())
        .withName(controller.getMetadata().getName()).withUid(controller.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true)
        .build();
  }

  // --- the controllers ------------------------------------------------------------------------

  private void reconcileSafely() {
    if (closed) {
      return;
    }
    try {
      reconcile();
    } catch (KubernetesClientException e) {
      log.debug("Simulated workload controllers will look again: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.error("Simulated workload controllers failed", e);
    }
  }

  private void reconcile() {
    Instant now = Instant.now();
    Map<String, Node> nodes = client.nodes().list().getItems().stream()
        .collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n, (a, b) -> a));
    List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
    if (collectGarbage(pods, nodes) | finishTerminations(pods)) {
      pods = client.pods().inAnyNamespace().list().getItems();
    }
    Set<String> uids = pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    createdAt.keySet().retainAll(uids);
    updateReadiness(pods, nodes, now);
    daemonPods(pods, nodes);
    mirrorPods(pods, nodes);
    replicaSet(pods, nodes);
    statefulSet(pods, nodes);
    csiAttachments(pods, now);
  }

  /** The pod garbage collector: pods bound to a Node that no longer exists are deleted at once. */
  private boolean collectGarbage(List<Pod> pods, Map<String, Node> nodes) {
    boolean changed = false;
    for (Pod pod : pods) {
      String node = nodeOf(pod);
      if (node != null && !nodes.containsKey(node)) {
        forceDelete(pod, "its node " + node + " is gone");
        changed = true;
      }
    }
    return changed;
  }

  /** The kubelet, back on a node, ends the pods that were left terminating there. */
  private boolean finishTerminations(List<Pod> pods) {
    boolean changed = false;
    for (Pod pod : pods) {
      List<String> finalizers = pod.getMetadata().getFinalizers();
      if (finalizers != null && finalizers.contains(PodTerminations.FINALIZER)
          && nodeOf(pod) != null && api.isKubeletRunning(nodeOf(pod))) {
        forceDelete(pod, "its kubelet runs again");
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Pods turn Running and Ready once started on a Ready node; on a node that is not Ready they
   * turn NotReady, as the node controller marks them.
   */
  private void updateReadiness(List<Pod> pods, Map<String, Node> nodes, Instant now) {
    Instant startedBefore = now.minus(timing.scaled(options.podStartup()));
    for (Pod pod : pods) {
      Node node = nodeOf(pod) == null ? null : nodes.get(nodeOf(pod));
      if (node == null || pod.getMetadata().getDeletionTimestamp() != null || finished(pod)) {
        continue;
      }
      boolean running = "Running".equals(phase(pod));
      boolean started = running || !createdAt(pod).isAfter(startedBefore);
      boolean ready = started && NodeConditions.isReady(node);
      if (running == started && isReady(pod) == ready) {
        continue;
      }
      PodStatus status = status(started ? "Running" : "Pending", ready, now);
      try {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
            .editStatus(p -> new PodBuilder(p).withStatus(status).build());
      } catch (KubernetesClientException e) {
        log.debug("Status of pod {} not updated: {}", key(pod), e.getMessage());
      }
    }
  }

  /** The DaemonSet controller: one pod per node, on every node (it tolerates everything). */
  private void daemonPods(List<Pod> pods, Map<String, Node> nodes) {
    for (String node : nodes.keySet()) {
      if (pods.stream().noneMatch(p -> isDaemonPodOf(p, node))) {
        create(KUBE_SYSTEM, NODE_PLUGIN + "-" + node, NODE_PLUGIN, node, owners.get(NODE_PLUGIN), Map.of(), null);
      }
    }
  }

  /** The kubelet of a master runs kube-apiserver as a static pod and shows it as a mirror pod. */
  private void mirrorPods(List<Pod> pods, Map<String, Node> nodes) {
    for (Node node : nodes.values()) {
      String name = API_SERVER + "-" + node.getMetadata().getName();
      if (!NodeLabels.isMaster(node) || !api.isKubeletRunning(node.getMetadata().getName())
          || pods.stream().anyMatch(p -> KUBE_SYSTEM.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))) {
        continue;
      }
      OwnerReference nodeOwner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
          .withName(node.getMetadata().getName()).withUid(node.getMetadata().getUid()).withController(true).build();
      create(KUBE_SYSTEM, name, API_SERVER, node.getMetadata().getName(), nodeOwner,
          Map.of(MIRROR_ANNOTATION, hash(name), "kubernetes.io/config.source", "file"), null);
    }
  }

  /** The ReplicaSet controller: replaces pods that are gone or terminating, on schedulable workers. */
  private void replicaSet(List<Pod> pods, Map<String, Node> nodes) {
    long active = pods.stream().filter(p -> isOf(p, APPS, WEB) && p.getMetadata().getDeletionTimestamp() == null && !finished(p)).count();
    for (long i = active; i < options.webReplicas(); i++) {
      String node = leastLoaded(pods, nodes, WEB);
      if (node == null) {
        return;
      }
      String name = WEB + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 5);
      Pod created = create(APPS, name, WEB, node, owners.get(WEB), Map.of(), null);
      if (created != null) {
        pods = append(pods, created);
      }
    }
  }

  /** The StatefulSet controller: db-N comes back (with its volume) only once the old db-N is gone. */
  private void statefulSet(List<Pod> pods, Map<String, Node> nodes) {
    for (int i = 0; i < options.dbReplicas(); i++) {
      String name = DB + "-" + i;
      if (pods.stream().anyMatch(p -> APPS.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))) {
        continue;
      }
      String node = leastLoaded(pods, nodes, DB);
      if (node == null) {
        return;
      }
      Pod created = create(APPS, name, DB, node, owners.get(DB), Map.of(), claimName(i));
      if (created != null) {
        pods = append(pods, created);
      }
    }
  }

  /**
   * The attach/detach controller and the CSI driver: a db pod's volume is attached to its node
   * while the pod is there (terminating included: its containers may still run), and detached
   * {@link Options#csiDetachDelay()} after it is gone from there.
   */
  private void csiAttachments(List<Pod> pods, Instant now) {
    Map<String, Integer> wanted = new HashMap<>();
    for (Pod pod : pods) {
      if (isOf(pod, APPS, DB) && nodeOf(pod) != null) {
        int ordinal = Integer.parseInt(pod.getMetadata().getName().substring(DB.length() + 1));
        if (ordinal < options.dbReplicas()) {
          wanted.put(attachmentName(ordinal, nodeOf(pod)), ordinal);
        }
      }
    }
    List<VolumeAttachment> existing = client.storage().v1().volumeAttachments().list().getItems();
    for (VolumeAttachment attachment : existing) {
      String name = attachment.getMetadata().getName();
      if (!CSI_DRIVER.equals(attachment.getSpec().getAttacher()) || wanted.containsKey(name)) {
        unusedSince.remove(name);
        continue;
      }
      Instant since = unusedSince.computeIfAbsent(name, n -> now);
      if (!since.plus(timing.scaled(options.csiDetachDelay())).isAfter(now)) {
        client.storage().v1().volumeAttachments().withName(name).delete();
        unusedSince.remove(name);
        log.debug("CSI driver detached {} from {}", attachment.getSpec().getSource().getPersistentVolumeName(),
            attachment.getSpec().getNodeName());
      }
    }
    Set<String> present = existing.stream().map(a -> a.getMetadata().getName()).collect(Collectors.toSet());
    wanted.forEach((name, ordinal) -> {
      if (present.contains(name)) {
        return;
      }
      String node = pods.stream().filter(p -> isOf(p, APPS, DB) && p.getMetadata().getName().equals(DB + "-" + ordinal))
          .map(SimulatedWorkloads::nodeOf).filter(Objects::nonNull).findFirst().orElse(null);
      if (node == null) {
        return;
      }
      try {
        client.storage().v1().volumeAttachments().resource(new VolumeAttachmentBuilder()
            .withNewMetadata().withName(name).endMetadata()
            .withNewSpec().withAttacher(CSI_DRIVER).withNodeName(node)
            .withNewSource().withPersistentVolumeName(volumeName(ordinal)).endSource().endSpec()
            .withNewStatus().withAttached(true).endStatus()
            .build()).create();
      } catch (KubernetesClientException e) {
        log.debug("VolumeAttachment {} not created: {}", name, e.getMessage());
      }
    });
  }

  // --- helpers --------------------------------------------------------------------------------

  /** A Ready, schedulable worker whose kubelet runs, with the fewest pods of {@code app}; null if none. */
  private String leastLoaded(List<Pod> pods, Map<String, Node> nodes, String app) {
    return nodes.values().stream()
        .filter(n -> !NodeLabels.isMaster(n) && NodeConditions.isReady(n) && !NodeConditions.isCordoned(n))
        .map(n -> n.getMetadata().getName())
        .filter(api::isKubeletRunning)
        .min(Comparator.<String>comparingLong(n -> pods.stream()
                .filter(p -> isOf(p, APPS, app) && n.equals(nodeOf(p)) && p.getMetadata().getDeletionTimestamp() == null)
                .count())
            .thenComparing(n -> n))
        .orElse(null);
  }

  private Pod create(String namespace, String name, String app, String node, OwnerReference owner,
      Map<String, String> annotations, String claim) {
    Instant now = Instant.now();
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).addToLabels(APP, app)
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .withCreationTimestamp(timestamp(now))
        .withOwnerReferences(owner == null ? List.of() : List.of(owner))
        .endMetadata()
        .withSpec(podSpec(claim))
        .withStatus(status("Pending", false, now))
        .build();
    pod.getSpec().setNodeName(node);
    try {
      Pod created = client.pods().inNamespace(namespace).resource(pod).create();
      createdAt.put(created.getMetadata().getUid(), now);
      log.debug("Pod {}/{} created on {}", namespace, name, node);
      return created;
    } catch (KubernetesClientException e) {
      log.debug("Pod {}/{} not created: {}", namespace, name, e.getMessage());
      return null;
    }
  }

  private void forceDelete(Pod pod, String why) {
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
      log.debug("Pod {} deleted: {}", key(pod), why);
    } catch (KubernetesClientException e) {
      log.debug("Pod {} not deleted: {}", key(pod), e.getMessage());
    }
  }

  private static PodSpec podSpec(String claim) {
    PodSpecBuilder spec = new PodSpecBuilder()
        .addNewContainer().withName("main").withImage("registry.k8s.io/pause:3.9").endContainer()
        .withTerminationGracePeriodSeconds(30L);
    if (claim != null) {
      spec.addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim()
          .endVolume();
    }
    return spec.build();
  }

  private static PodStatus status(String phase, boolean ready, Instant now) {
    String readiness = ready ? "True" : "False";
    return new PodStatusBuilder().withPhase(phase)
        .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(timestamp(now)).endCondition()
        .addNewCondition().withType("ContainersReady").withStatus(readiness).withLastTransitionTime(timestamp(now)).endCondition()
        .addNewCondition().withType("Ready").withStatus(readiness).withLastTransitionTime(timestamp(now)).endCondition()
        .build();
  }

  private static boolean isDaemonPodOf(Pod pod, String node) {
    return isOf(pod, KUBE_SYSTEM, NODE_PLUGIN) && node.equals(nodeOf(pod));
  }

  private static boolean isOf(Pod pod, String namespace, String app) {
    return namespace.equals(pod.getMetadata().getNamespace())
        && pod.getMetadata().getLabels() != null && app.equals(pod.getMetadata().getLabels().get(APP));
  }

  private static long ready(List<Pod> pods, String app) {
    return pods.stream().filter(p -> isOf(p, APPS, app) && isReady(p)).count();
  }

  private static String nodeOf(Pod pod) {
    return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static boolean finished(Pod pod) {
    return FINISHED.contains(phase(pod));
  }

  private Instant createdAt(Pod pod) {
    Instant created = createdAt.get(pod.getMetadata().getUid());
    if (created != null) {
      return created;
    }
    String timestamp = pod.getMetadata().getCreationTimestamp();
    return timestamp == null ? Instant.EPOCH : OffsetDateTime.parse(timestamp).toInstant();
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static List<Pod> append(List<Pod> pods, Pod pod) {
    List<Pod> more = new java.util.ArrayList<>(pods);
    more.add(pod);
    return more;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  static String volumeName(int ordinal) {
    return "pv-" + DB + "-" + ordinal;
  }

  private static String claimName(int ordinal) {
    return "data-" + DB + "-" + ordinal;
  }

  /** The Cinder volume id of db-N's volume. */
  public static String volumeHandle(int ordinal) {
    return UUID.nameUUIDFromBytes((DB + "-" + ordinal).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** As the attach/detach controller names them: "csi-" and a hash of volume, attacher and node. */
  private static String attachmentName(int ordinal, String node) {
    return "csi-" + hash(volumeHandle(ordinal) + CSI_DRIVER + node);
  }

  private static String hash(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
