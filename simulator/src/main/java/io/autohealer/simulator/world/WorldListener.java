package io.autohealer.simulator.world;

/** Told of every change to the servers of a {@link CloudWorld}, in order, on the changing thread. */
public interface WorldListener {
  void serverChanged(SimServer server);

  void serverDeleted(SimServer server);
}
