package io.autohealer.simulator.kubernetes;

import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.WorldListener;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelets of the servers of a {@link CloudWorld}, together with the node controller's
 * handling of silent kubelets:
 *
 * <ul>
 *   <li>a server whose kubelet can run ({@link SimServer#kubeletHealthy()}) registers its Node
 *       after a boot delay, or marks it Ready again when the Node exists;
 *   <li>when the kubelet stops (server stopped, rebooting, deleted, fault injected) the Node's
 *       conditions turn Unknown after the node-monitor grace period, unless it came back in time;
 *   <li>the Node of a deleted server stays, NotReady, until someone deletes it.
 * </ul>
 *
 * All work runs on one scheduler thread, in the order the world changed; a scheduled step checks
 * that no later change superseded it. Node statuses are written through the status subresource as
 * JSON patches that replace the conditions (the mock server's merge patch would append to them).
 */
public final class SimulatedKubelets implements WorldListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedKubelets.class);
  private static final int CONFLICT_ATTEMPTS = 5;
  private static final Duration API_RETRY = Duration.ofMillis(500);

  private final CloudWorld world;
  private final KubernetesClient client;
  private final KubeletTimings timings;
  private final ScheduledExecutorService scheduler;
  /** By server id; touched only on the scheduler thread. */
  private final Map<String, Kubelet> kubelets = new HashMap<>();
  private volatile boolean closed;

  public SimulatedKubelets(CloudWorld world, KubernetesClient client) {
    this(world, client, KubeletTimings.defaults());
  }

  public SimulatedKubelets(CloudWorld world, KubernetesClient client, KubeletTimings timings) {
    this.world = Objects.requireNonNull(world, "world");
    this.client = Objects.requireNonNull(client, "client");
    this.timings = Objects.requireNonNull(timings, "timings");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "simulated-kubelets");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts following the world. Servers already running register their Nodes at once, as in a
   * cluster that was up before the simulation; this method returns when they have.
   */
  public SimulatedKubelets start() {
    world.addListener(this);
    List<SimServer> existing = List.copyOf(world.servers());
    try {
      scheduler.submit(() -> existing.forEach(s -> observe(s, true))).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while registering nodes", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot register the nodes of running servers", e.getCause());
    }
    return this;
  }

  /** Injects {@code fault} into the server behind Node {@code nodeName} (NONE clears it). */
  public void breakNode(String nodeName, NodeFault fault) {
    SimServer server = world.serverByName(nodeName)
        .orElseThrow(() -> new IllegalArgumentException("no server named " + nodeName));
    world.update(server.id(), s -> s.withFault(fault));
  }

  /**
   * Whether a kubelet runs for Node {@code nodeName}: a server of that name is ACTIVE with no
   * fault. For {@link KubernetesSimulator#kubeletsRunning}; it reads the world, never the API.
   */
  public boolean running(String nodeName) {
    return world.servers().stream().anyMatch(s -> s.name().equals(nodeName) && s.kubeletHealthy());
  }

  @Override
  public void serverChanged(SimServer server) {
    submit(() -> observe(server, false));
  }

  @Override
  public void serverDeleted(SimServer server) {
    submit(() -> observe(server.id(), server.name(), null, false, false));
  }

  @Override
  public void close() {
    closed = true;
    world.removeListener(this);
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void observe(SimServer server, boolean initial) {
    observe(server.id(), server.name(), server.status(), server.kubeletHealthy(), initial);
  }

  /** @param status null when the server is gone */
  private void observe(String serverId, String name, ServerStatus status, boolean healthy, boolean initial) {
    Kubelet kubelet = kubelets.computeIfAbsent(serverId, id -> new Kubelet(id, name));
    ServerStatus previous = kubelet.status;
    kubelet.status = status;
    if (kubelet.observed && healthy == kubelet.healthy) {
      return;
    }
    kubelet.observed = true;
    kubelet.healthy = healthy;
    long generation = ++kubelet.generation;
    if (!healthy) {
      schedule(kubelet, generation, scaled(timings.nodeMonitorGracePeriod()), this::nodeMonitorTimeout);
      return;
    }
    Duration delay;
    if (!kubelet.registered || previous != ServerStatus.ACTIVE) {
      kubelet.bootId = UUID.randomUUID().toString();
      delay = kubelet.registered ? timings.reboot() : timings.firstBoot();
    } else {
      delay = timings.kubeletRestart();
    }
    schedule(kubelet, generation, initial ? Duration.ZERO : scaled(delay), this::kubeletStarted);
  }

  /** The kubelet is up: registers the Node, or posts Ready on the existing one. */
  private void kubeletStarted(Kubelet kubelet) {
    SimServer server = world.server(kubelet.serverId).orElse(null);
    if (server == null || !server.kubeletHealthy()) {
      resync(kubelet, server);
      return;
    }
    Node node = client.nodes().withName(kubelet.name).get();
    if (node != null && !kubelet.providerId().equals(node.getSpec().getProviderID())) {
      // Left by an earlier server of the same name; a kubelet replaces such a Node.
      client.nodes().withName(kubelet.name).delete();
      node = null;
    }
    String bootId = kubelet.bootId;
    if (node == null && register(server, bootId)) {
      log.debug("Node {} registered", kubelet.name);
    } else {
      writeStatus(kubelet.name, status -> NodeStatuses.kubeletStatus(status, server, bootId, timestamp()));
      log.debug("Node {} Ready", kubelet.name);
    }
    kubelet.registered = true;
  }

  /** Creates the Node; false when it exists already and needs a status update instead. */
  private boolean register(SimServer server, String bootId) {
    try {
      Node created = client.nodes().resource(NodeStatuses.registration(server, bootId, timestamp())).create();
      return NodeConditions.isReady(created); // a real apiserver drops the status of a create
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  /** The node controller heard nothing for the grace period: the Node's conditions turn Unknown. */
  private void nodeMonitorTimeout(Kubelet kubelet) {
    SimServer server = world.server(kubelet.serverId).orElse(null);
    if (server != null && server.kubeletHealthy()) {
      resync(kubelet, server);
      return;
    }
    if (server == null) {
      kubelets.remove(kubelet.serverId);
    }
    Node node = client.nodes().withName(kubelet.name).get();
    if (node == null
        || !kubelet.providerId().equals(node.getSpec().getProviderID())
        || NodeConditions.UNKNOWN.equals(NodeConditions.readyStatus(node))) {
      return;
    }
    writeStatus(kubelet.name, status -> NodeStatuses.unknown(status, timestamp()));
    log.debug("Node {} Unknown", kubelet.name);
  }

  /** A step found the world other than the change that scheduled it (events raced): catch up. */
  private void resync(Kubelet kubelet, SimServer current) {
    if (current == null) {
      observe(kubelet.serverId, kubelet.name, null, false, false);
    } else {
      observe(current, false);
    }
  }

  private void writeStatus(String name, UnaryOperator<NodeStatus> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        // editStatus sends a JSON patch of the difference, which replaces changed list elements.
        client.nodes().withName(name).editStatus(n -> new NodeBuilder(n)
            .withStatus(change.apply(n.getStatus() == null ? new NodeStatus() : n.getStatus()))
            .build());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Runs {@code step} after {@code delay} (real time) unless a later change superseded it; must be
   * called on the scheduler thread.
   */
  private void schedule(Kubelet kubelet, long generation, Duration delay, Consumer<Kubelet> step) {
    Runnable guarded = () -> {
      if (closed || kubelet.generation != generation) {
        return;
      }
      try {
        step.accept(kubelet);
      } catch (KubernetesClientException e) {
        log.warn("Simulated kubelet of {} failed, retrying: {}", kubelet.name, e.getMessage());
        schedule(kubelet, generation, API_RETRY, step);
      } catch (RuntimeException e) {
        log.error("Simulated kubelet of {} failed", kubelet.name, e);
      }
    };
    if (delay.isZero()) {
      guarded.run(); // already on the scheduler thread; start() relies on this being done on return
      return;
    }
    try {
      scheduler.schedule(guarded, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private Duration scaled(Duration simulated) {
    return world.timing().scaled(simulated);
  }

  private void submit(Runnable task) {
    if (closed) {
      return;
    }
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /**
   * Now, as the apiserver would write it. Faster than real time, with milliseconds: at second
   * precision a sped-up "unhealthy for 5 minutes" would be off by up to a second of real time.
   */
  private String timestamp() {
    ChronoUnit precision = world.timing().speed() > 1 ? ChronoUnit.MILLIS : ChronoUnit.SECONDS;
    return Instant.now().truncatedTo(precision).toString();
  }

  /** What the simulation knows of one server's kubelet. */
  private static final class Kubelet {
    final String serverId;
    final String name;
    ServerStatus status;
    boolean observed;
    boolean healthy;
    boolean registered;
    long generation;
    String bootId;

    Kubelet(String serverId, String name) {
      this.serverId = serverId;
      this.name = name;
    }

    String providerId() {
      return NodeStatuses.PROVIDER_PREFIX + serverId;
    }
  }
}
