package io.autohealer.simulator.openstack;

import com.sun.net.httpserver.HttpServer;
import io.autohealer.simulator.world.CloudWorld;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keystone v3, Nova, Magnum, Heat and Cinder over HTTP on loopback, backed by a {@link
 * CloudWorld}. Unmodified openstack4j talks to it through {@link #authUrl()}.
 *
 * <pre>{@code
 * try (var sim = new OpenStackSimulator(world, SimulatorOptions.defaults()).start()) {
 *   SimulatedCluster c = sim.newCluster("k8s").masters(3).workers(3).create();
 *   ... sim.calls("magnum.resize") ... sim.faults().failNext("nova.server.get", 1, 503);
 * }
 * }</pre>
 *
 * <p>Operation names for {@link #calls} and {@link #faults}: {@code keystone.token}, {@code
 * nova.server.get|list|delete|stop|start|reboot|forceDelete|volumeAttachments|volumeDetach},
 * {@code magnum.cluster.get|list|patch}, {@code magnum.nodegroup.get|list}, {@code magnum.resize},
 * {@code heat.stack.find|get|update}, {@code heat.resource.list|markUnhealthy}, {@code
 * cinder.volume.get}.
 */
public final class OpenStackSimulator implements AutoCloseable {
  private final CloudWorld world;
  private final SimulatorOptions options;
  private final CallStats stats = new CallStats();
  private final FaultInjector faults = new FaultInjector();
  private final TokenStore tokens;
  private final SimScheduler scheduler;
  private final NovaCompute nova;
  private final MagnumEngine magnum;
  private final HeatEngine heat;
  private final ActionReporter actions;
  private HttpServer server;
  private ExecutorService executor;

  public OpenStackSimulator(CloudWorld world, SimulatorOptions options) {
    this.world = world;
    this.options = options;
    this.tokens = new TokenStore(Clock.systemUTC(), options.tokenTtl());
    this.scheduler = new SimScheduler(world.timing());
    this.nova = new NovaCompute(world, scheduler, options.delays());
    this.magnum = new MagnumEngine(nova, scheduler, options.delays());
    this.heat = new HeatEngine(magnum, nova, scheduler, options.delays());
    this.actions = new ActionReporter(heat);
  }

  public OpenStackSimulator(CloudWorld world) {
    this(world, SimulatorOptions.defaults());
  }

  /** Binds the port and starts serving; returns this. */
  public synchronized OpenStackSimulator start() {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the OpenStack simulator to port " + options.port(), e);
    }
    String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    KeystoneAccount account = options.account();
    Router router = new Router();
    new KeystoneHandlers(account, tokens, new KeystoneHandlers.Catalog(baseUrl, options.magnumServiceName()))
        .register(router);
    new NovaHandlers(nova, baseUrl, account.projectId(), account.userId()).register(router);
    new MagnumHandlers(magnum, nova, baseUrl, account.projectId(), account.userId()).register(router);
    new HeatHandlers(heat, baseUrl, account.projectId()).register(router);
    new CinderHandlers(nova, account.projectId()).register(router);
    AtomicInteger threads = new AtomicInteger();
    executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "openstack-sim-http-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", new HttpFrontend(router, stats, faults, tokens, baseUrl + "/identity/v3", actions));
    server.start();
    return this;
  }

  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.getAddress().getPort();
  }

  /** The Keystone v3 URL, e.g. {@code http://127.0.0.1:41234/identity/v3}. */
  public String authUrl() {
    return "http://127.0.0.1:" + port() + "/identity/v3";
  }

  public KeystoneAccount account() {
    return options.account();
  }

  public CloudWorld world() {
    return world;
  }

  /** Starts describing a cluster; {@link ClusterBuilder#create()} adds it with all servers ACTIVE. */
  public ClusterBuilder newCluster(String name) {
    return new ClusterBuilder(name, magnum::create);
  }

  public Optional<SimulatedCluster> cluster(String uuidOrName) {
    return magnum.find(uuidOrName);
  }

  /** How many calls of {@code operation} were received (answered or not). */
  public long calls(String operation) {
    return stats.count(operation);
  }

  /** Every operation's call count, sorted by name. */
  public Map<String, Long> callCounts() {
    return stats.snapshot();
  }

  public void resetCalls() {
    stats.reset();
  }

  /** Tells {@code listener} of every answered call that asks for a change (see {@link OpenStackAction}). */
  public void addActionListener(OpenStackActionListener listener) {
    actions.add(listener);
  }

  public void removeActionListener(OpenStackActionListener listener) {
    actions.remove(listener);
  }

  public FaultInjector faults() {
    return faults;
  }

  /** Revokes every issued token, so that the next call of each client gets a 401. */
  public void revokeTokens() {
    tokens.revokeAll();
  }

  /** Tokens issued from now on live this long (real time). */
  public void setTokenTtl(Duration ttl) {
    tokens.setTtl(ttl);
  }

  /**
   * Attaches a new volume to a server that no Heat stack manages, as a Cinder CSI driver attaches
   * a persistent volume; returns the volume's id.
   */
  public String attachVolume(String serverId, String name, boolean bootable) {
    return nova.attachVolume(serverId, name, bootable);
  }

  /** The ids of the volumes attached to the server (in-use or detaching), oldest first. */
  public List<String> attachedVolumes(String serverId) {
    return nova.attachedVolumes(serverId);
  }

  /** Cinder's status of a volume (in-use, detaching, available); empty once it is deleted. */
  public Optional<String> volumeStatus(String volumeId) {
    return nova.volume(volumeId).map(NovaCompute.Volume::status);
  }

  /** The volume a server boots from, or empty when it boots from an image (or is gone). */
  public Optional<String> bootVolume(String serverId) {
    return nova.view(serverId).map(v -> v.meta().bootVolumeId);
  }

  /** Puts a server into ERROR, as a failed hypervisor would. */
  public void breakServer(String serverId) {
    nova.setError(serverId);
  }

  @Override
  public synchronized void close() {
    faults.releaseHangs();
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
    scheduler.close();
  }
}
