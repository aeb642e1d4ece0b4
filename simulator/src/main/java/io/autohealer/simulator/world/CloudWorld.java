package io.autohealer.simulator.world;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The simulated servers, shared by the OpenStack APIs (which change them) and the simulated
 * kubelets (which turn their state into Node objects). Thread-safe; listeners are called after
 * each change, on the thread that made it.
 */
public final class CloudWorld {
  private final Map<String, SimServer> servers = new ConcurrentHashMap<>();
  private final List<WorldListener> listeners = new CopyOnWriteArrayList<>();
  private final SimTiming timing;

  public CloudWorld(SimTiming timing) {
    this.timing = timing;
  }

  public SimTiming timing() {
    return timing;
  }

  public void addListener(WorldListener listener) {
    listeners.add(listener);
  }

  public void removeListener(WorldListener listener) {
    listeners.remove(listener);
  }

  public Optional<SimServer> server(String id) {
    return Optional.ofNullable(servers.get(id));
  }

  public Collection<SimServer> servers() {
    return List.copyOf(servers.values());
  }

  public Optional<SimServer> serverByName(String name) {
    return servers.values().stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public void add(SimServer server) {
    if (servers.putIfAbsent(server.id(), server) != null) {
      throw new IllegalStateException("server " + server.id() + " exists");
    }
    listeners.forEach(l -> l.serverChanged(server));
  }

  /** Applies {@code change} atomically; returns the new server, or empty when it does not exist. */
  public Optional<SimServer> update(String id, UnaryOperator<SimServer> change) {
    SimServer updated = servers.computeIfPresent(id, (k, s) -> change.apply(s));
    if (updated != null) {
      listeners.forEach(l -> l.serverChanged(updated));
    }
    return Optional.ofNullable(updated);
  }

  public Optional<SimServer> remove(String id) {
    SimServer removed = servers.remove(id);
    if (removed != null) {
      listeners.forEach(l -> l.serverDeleted(removed));
    }
    return Optional.ofNullable(removed);
  }
}
