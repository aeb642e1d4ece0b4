package io.autohealer.simulator;

import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.world.NodeFault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The simulated Magnum cluster on its own, for docker-compose: OpenStack and Kubernetes APIs on
 * fixed loopback ports, a config.yaml for a worker and a detector that share this process's network
 * (compose {@code network_mode: service:simulator}), and optionally workers that break after a
 * while, so that a repair can be watched in the Temporal Web UI. Runs until SIGTERM.
 */
@Command(name = "simulator", mixinStandardHelpOptions = true,
    description = "Runs a simulated Magnum cluster and writes the config.yaml for a worker and a detector.")
public final class SimulatorMain implements Callable<Integer> {
  @Option(names = "--cluster-name", defaultValue = "k8s", description = "Magnum cluster name (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--masters", defaultValue = "3", description = "Masters (default: ${DEFAULT-VALUE}).")
  int masters;

  @Option(names = "--workers", defaultValue = "3", description = "Workers (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--speed", defaultValue = "10",
      description = "Servers boot, stop and update this many times faster than real ones (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--openstack-port", defaultValue = "5000", description = "OpenStack APIs port (default: ${DEFAULT-VALUE}).")
  int openstackPort;

  @Option(names = "--kubernetes-port", defaultValue = "6443", description = "Kubernetes API port (default: ${DEFAULT-VALUE}).")
  int kubernetesPort;

  @Option(names = "--config-out", required = true, paramLabel = "FILE",
      description = "Where to write config.yaml for the worker and the detector (written once the cluster is Ready).")
  Path configOut;

  @Option(names = "--temporal-address", defaultValue = "temporal:7233",
      description = "Temporal frontend for the config (default: ${DEFAULT-VALUE}).")
  String temporalAddress;

  @Option(names = "--temporal-namespace", defaultValue = "default",
      description = "Temporal namespace for the config (default: ${DEFAULT-VALUE}).")
  String temporalNamespace;

  @Option(names = "--break-workers", defaultValue = "1",
      description = "How many workers stop their kubelet (default: ${DEFAULT-VALUE}).")
  int breakWorkers;

  @Option(names = "--break-after", defaultValue = "90s", converter = DurationConverter.class,
      description = "When, after the config is written, they break (default: ${DEFAULT-VALUE}; 0s: never).")
  Duration breakAfter;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulatorMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.deleteIfExists(configOut);
    Simulator.Options options = new Simulator.Options(clusterName, masters, workers, speed)
        .withPorts(openstackPort, kubernetesPort);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "simulator-stop"));
    try (Simulator simulator = Simulator.start(options, Duration.ofMinutes(2))) {
      writeConfig(simulator);
      System.out.printf("Simulated Magnum cluster %s: %d masters, %d workers Ready; OpenStack on 127.0.0.1:%d, "
              + "Kubernetes on %s; config in %s%n", clusterName, masters, workers, openstackPort,
          simulator.kubernetes().masterUrl(), configOut);
      if (breakWorkers > 0 && !breakAfter.isZero()) {
        if (stop.await(breakAfter.toMillis(), TimeUnit.MILLISECONDS)) {
          return 0;
        }
        List<String> nodes = simulator.workerNodes();
        for (String node : nodes.subList(0, Math.min(breakWorkers, nodes.size()))) {
          simulator.breakNode(node, NodeFault.KUBELET_STOPPED);
          System.out.printf("Broke %s: its kubelet stopped. Watch its repair in the Temporal Web UI "
              + "(http://localhost:8080, query RepairNode=\"%s\").%n", node, node);
        }
      }
      stop.await();
    }
    return 0;
  }

  private void writeConfig(Simulator simulator) throws Exception {
    KeystoneAccount account = simulator.openstack().account();
    String yaml = """
        # Written by the simulator for the worker and the detector beside it (docker-compose).
        cluster-name: %s
        dry-run: false
        monitor-interval: 5s
        check-delay-after-add: 30s
        leader-elect: true
        healthcheck:
          master:
            - type: NodeCondition
              params: {unhealthy-duration: 30s, types: ["Ready"], ok-values: ["True"]}
          worker:
            - type: NodeCondition
              params: {unhealthy-duration: 30s, types: ["Ready"], ok-values: ["True"]}
        kubernetes:
          api-host: %s
        openstack:
          auth-url: %s
          user-id: %s
          project-id: %s
          password: %s   # the simulator's own made-up account
          region: RegionOne
        temporal:
          address: %s
          namespace: %s
        repair:
          poll-interval: 2s
        """.formatted(clusterName, simulator.kubernetes().masterUrl(), simulator.openstack().authUrl(),
        account.userId(), account.projectId(), account.password(), temporalAddress, temporalNamespace);
    Path parent = configOut.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, ".config", ".yaml");
    Files.writeString(temp, yaml);
    // Readable by the worker and detector, which run as another (non-root) user.
    Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    // Atomic: the healthcheck and the other containers never see half a file.
    Files.move(temp, configOut, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Go-style durations: 90s, 2m. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return io.autohealer.config.GoDuration.parse(value)
          .orElseThrow(() -> new CommandLine.TypeConversionException("not a duration: " + value + " (e.g. 90s, 2m)"));
    }
  }
}
