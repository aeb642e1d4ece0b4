package io.autohealer.simulator.openstack;

/** Told of each {@link OpenStackAction} once answered, on the HTTP thread that handled it. */
@FunctionalInterface
public interface OpenStackActionListener {
  void acted(OpenStackAction action);
}
