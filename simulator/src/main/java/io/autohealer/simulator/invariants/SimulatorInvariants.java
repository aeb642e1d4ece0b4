package io.autohealer.simulator.invariants;

import io.autohealer.config.ClusterPause;
import io.autohealer.config.SafetySettings;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.openstack.OpenStackAction;
import io.autohealer.simulator.openstack.OpenStackActionListener;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.WorldListener;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link InvariantChecker} attached to a running {@link Simulator}: it hears every change of the
 * simulated servers, every OpenStack call that asks for a change, and the healer's cordons, Node
 * deletions, evictions and repair Events on the Kubernetes API, as they happen. Close it to detach.
 *
 * <pre>{@code
 * try (SimulatorInvariants invariants = SimulatorInvariants.attach(simulator, config.safety())) {
 *   ... run repairs ...
 *   invariants.checker().assertNoBreach();
 * }
 * }</pre>
 */
public final class SimulatorInvariants implements AutoCloseable {
  private static final Map<String, CloudAction> ACTIONS = Map.of(
      "nova.server.reboot", CloudAction.REBOOT,
      "nova.server.stop", CloudAction.STOP,
      "nova.server.start", CloudAction.START,
      "nova.server.delete", CloudAction.DELETE,
      "nova.server.forceDelete", CloudAction.FORCE_DELETE,
      "nova.server.volumeDetach", CloudAction.DETACH_VOLUME,
      "heat.resource.markUnhealthy", CloudAction.MARK_UNHEALTHY,
      "magnum.resize", CloudAction.RESIZE_REMOVE,
      "heat.stack.update", CloudAction.STACK_UPDATE);

  private final Simulator simulator;
  private final InvariantChecker checker;
  private final GateProbe gate;
  private final WorldListener world;
  private final OpenStackActionListener openstack;
  private final KubernetesActions kubernetes;
  private final SharedIndexInformer<ConfigMap> pauseInformer;
  private volatile Optional<ClusterPause> pause = Optional.empty();

  private SimulatorInvariants(Simulator simulator, SafetySettings safety) {
    this.simulator = simulator;
    this.checker = new InvariantChecker(RepairLimits.of(safety));
    this.gate = new GateProbe(simulator.cluster(), () -> pause);
    this.world = new WorldListener() {
      @Override
      public void serverChanged(SimServer s) {
        checker.serverChanged(s.id(), s.name(), s.role(), s.status(), s.fault());
      }

      @Override
      public void serverDeleted(SimServer s) {
        checker.serverDeleted(s.id(), s.name());
      }
    };
    this.openstack = this::acted;
    this.kubernetes = new KubernetesActions(checker, gate::closedReason);
    this.pauseInformer = simulator.kubernetes().client().configMaps().inNamespace(safety.controlNamespace())
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {
            pauseChanged(cm);
          }

          @Override
          public void onUpdate(ConfigMap before, ConfigMap cm) {
            pauseChanged(cm);
          }

          @Override
          public void onDelete(ConfigMap cm, boolean unknownFinalState) {
            if (ClusterPause.CONFIG_MAP.equals(cm.getMetadata().getName())) {
              pause = Optional.empty();
              checker.gate(gate.closedReason());
            }
          }
        });
  }

  /** Attaches a new checker with the limits of {@code safety} (the run's config) to {@code simulator}. */
  public static SimulatorInvariants attach(Simulator simulator, SafetySettings safety) {
    SimulatorInvariants invariants = new SimulatorInvariants(simulator, safety);
    invariants.start();
    return invariants;
  }

  private void start() {
    simulator.world().addListener(world);
    simulator.world().servers().forEach(world::serverChanged);
    for (Node node : simulator.kubernetes().client().nodes().list().getItems()) {
      String provider = node.getSpec().getProviderID();
      if (provider != null && provider.startsWith("openstack:///")) {
        checker.nodeRegistered(node.getMetadata().getName(), provider.substring("openstack:///".length()));
      }
    }
    simulator.openstack().addActionListener(openstack);
    simulator.kubernetes().addInterceptor(kubernetes);
    checker.gate(gate.closedReason());
  }

  public InvariantChecker checker() {
    return checker;
  }

  /** Samples the gate now, e.g. after a test closed or opened it, so that the trail shows when. */
  public void gateChanged() {
    checker.gate(gate.closedReason());
  }

  private void acted(OpenStackAction action) {
    CloudAction kind = ACTIONS.get(action.operation());
    if (kind == null || !action.accepted()
        || (kind == CloudAction.MARK_UNHEALTHY && action.detail().contains("mark_unhealthy false"))) {
      String servers = action.serverIds().isEmpty() ? "" : " " + action.serverIds();
      checker.note(null, "healer: %s%s %s answered %d".formatted(action.operation(), servers, action.detail(),
          action.status()));
      return;
    }
    checker.gate(gate.closedReason());
    if (action.serverIds().isEmpty()) {
      checker.cloudAction(kind, null, action.detail());
    }
    for (String serverId : action.serverIds()) {
      checker.cloudAction(kind, serverId, action.detail());
    }
  }

  private void pauseChanged(ConfigMap cm) {
    if (ClusterPause.CONFIG_MAP.equals(cm.getMetadata().getName())) {
      pause = ClusterPause.fromConfigMap(cm);
      checker.gate(gate.closedReason());
    }
  }

  @Override
  public void close() {
    pauseInformer.close();
    simulator.kubernetes().removeInterceptor(kubernetes);
    simulator.openstack().removeActionListener(openstack);
    simulator.world().removeListener(world);
  }
}
