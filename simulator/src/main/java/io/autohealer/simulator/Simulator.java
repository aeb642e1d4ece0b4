package io.autohealer.simulator;

import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.kubernetes.NodeAwaiter;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.kubernetes.SimulatedWorkloads;
import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A simulated Magnum cluster: Keystone, Nova, Magnum, Heat and Cinder over real HTTP, and a
 * Kubernetes API whose nodes behave like kubelets of the simulated servers and run workloads (a
 * Deployment with a PodDisruptionBudget, a StatefulSet on CSI volumes, a DaemonSet, mirror pods on
 * masters; see {@link SimulatedWorkloads}). The real clients of the worker and the detector talk
 * to it unchanged.
 */
public final class Simulator implements AutoCloseable {
  private final CloudWorld world;
  private final OpenStackSimulator openstack;
  private final KubernetesSimulator kubernetes;
  private final SimulatedKubelets kubelets;
  private final SimulatedWorkloads workloads;
  private final NodeAwaiter nodes;
  private final SimulatedCluster cluster;

  private Simulator(Options options, SimulatedWorkloads.Options workloadOptions, SimulatorOptions openstackOptions) {
    world = new CloudWorld(new SimTiming(options.speed()));
    openstack = new OpenStackSimulator(world, openstackOptions.withPort(options.openstackPort())).start();
    kubernetes = KubernetesSimulator.start(options.kubernetesPort());
    kubelets = new SimulatedKubelets(world, kubernetes.client()).start();
    kubernetes.kubeletsRunning(kubelets::running);
    workloads = new SimulatedWorkloads(kubernetes, world.timing(), workloadOptions).start();
    nodes = new NodeAwaiter(kubernetes.client());
    cluster = openstack.newCluster(options.clusterName())
        .masters(options.masters())
        .workers(options.workers())
        .label("auto_healing_enabled", "true")
        .create();
  }

  /**
   * @param clusterName the Magnum cluster's name
   * @param masters control-plane servers
   * @param workers worker servers in the default-worker nodegroup
   * @param speed how many times faster than real time servers boot, stop and update
   * @param openstackPort port of the OpenStack APIs on loopback, 0 for any free port
   * @param kubernetesPort port of the Kubernetes API on loopback, 0 for any free port
   */
  public record Options(String clusterName, int masters, int workers, double speed, int openstackPort,
      int kubernetesPort) {
    /** Any free ports. */
    public Options(String clusterName, int masters, int workers, double speed) {
      this(clusterName, masters, workers, speed, 0, 0);
    }

    public static Options defaults() {
      return new Options("k8s", 3, 3, 20);
    }

    public Options withSpeed(double s) {
      return new Options(clusterName, masters, workers, s, openstackPort, kubernetesPort);
    }

    public Options withPorts(int openstack, int kubernetes) {
      return new Options(clusterName, masters, workers, speed, openstack, kubernetes);
    }
  }

  /** Starts every API and waits until every node of the cluster and the workloads are Ready. */
  public static Simulator start(Options options, Duration readyTimeout)
      throws TimeoutException, InterruptedException {
    return start(options, SimulatedWorkloads.Options.defaults(), readyTimeout);
  }

  /** As {@link #start(Options, Duration)}, with workloads of the given shape. */
  public static Simulator start(Options options, SimulatedWorkloads.Options workloads, Duration readyTimeout)
      throws TimeoutException, InterruptedException {
    return start(options, workloads, SimulatorOptions.defaults(), readyTimeout);
  }

  /** As {@link #start(Options, Duration)}, with Keystone's one user being {@code account} (e.g. a known password). */
  public static Simulator start(Options options, KeystoneAccount account, Duration readyTimeout)
      throws TimeoutException, InterruptedException {
    return start(options, SimulatedWorkloads.Options.defaults(), SimulatorOptions.defaults().withAccount(account),
        readyTimeout);
  }

  /**
   * As {@link #start(Options, SimulatedWorkloads.Options, Duration)}, with the OpenStack simulator
   * set up by {@code openstackOptions} (its port still comes from {@code options}), e.g. to take a
   * real Keystone's tokens.
   */
  public static Simulator start(Options options, SimulatedWorkloads.Options workloads,
      SimulatorOptions openstackOptions, Duration readyTimeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    Simulator simulator = new Simulator(options, workloads, openstackOptions);
    try {
      simulator.nodes.awaitReady(options.masters() + options.workers(), readyTimeout);
      simulator.workloads.awaitSettled(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      return simulator;
    } catch (TimeoutException | InterruptedException | RuntimeException e) {
      simulator.close();
      throw e;
    }
  }

  public CloudWorld world() {
    return world;
  }

  public OpenStackSimulator openstack() {
    return openstack;
  }

  public KubernetesSimulator kubernetes() {
    return kubernetes;
  }

  public SimulatedCluster cluster() {
    return cluster;
  }

  public NodeAwaiter nodes() {
    return nodes;
  }

  public SimulatedWorkloads workloads() {
    return workloads;
  }

  /** Names of the cluster's current worker nodes, sorted. */
  public List<String> workerNodes() {
    return nodeNames(cluster.workerIds());
  }

  public List<String> masterNodes() {
    return nodeNames(cluster.masterIds());
  }

  /** Injects a fault inside a node's server, as if its kubelet stopped or the node broke. */
  public void breakNode(String nodeName, NodeFault fault) {
    kubelets.breakNode(nodeName, fault);
  }

  private List<String> nodeNames(List<String> serverIds) {
    return serverIds.stream()
        .flatMap(id -> world.server(id).stream())
        .map(SimServer::name)
        .sorted()
        .toList();
  }

  @Override
  public void close() {
    nodes.close();
    workloads.close();
    kubelets.close();
    kubernetes.close();
    openstack.close();
  }
}
