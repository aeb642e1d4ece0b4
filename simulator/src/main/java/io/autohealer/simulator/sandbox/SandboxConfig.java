package io.autohealer.simulator.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.openstack.KeystoneAccount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The config.yaml that the sandbox's worker and detector read: the Go service's keys pointed at
 * the simulator, plus this project's additive {@code temporal:} and {@code repair:} sections, and
 * safety gates opened wide (the storm guard and the concurrency limit would hold back a sandbox that
 * breaks most of its workers) with no metrics port.
 */
final class SandboxConfig {
  private SandboxConfig() {}

  static Path write(Path dir, Simulator simulator, String temporalTarget, Duration unhealthyDuration,
      boolean requireApproval) throws IOException {
    KeystoneAccount account = simulator.openstack().account();
    return write(dir, simulator, temporalTarget, unhealthyDuration, requireApproval, List.of(
        "auth-url: " + simulator.openstack().authUrl(),
        "user-id: " + account.userId(),
        "project-id: " + account.projectId(),
        "password: " + account.password(),
        "region: RegionOne"));
  }

  /**
   * As {@link #write(Path, Simulator, String, Duration, boolean)}, with the lines of the {@code
   * openstack:} section given (e.g. a real Keystone's URL and an application credential).
   */
  static Path write(Path dir, Simulator simulator, String temporalTarget, Duration unhealthyDuration,
      boolean requireApproval, List<String> openstackKeys) throws IOException {
    String yaml = """
        cluster-name: %s
        dry-run: false
        monitor-interval: 2s
        check-delay-after-add: 5s
        leader-elect: false
        # The sandbox shows repairs: every broken worker is repaired, at once, with no port to clash.
        max-unhealthy: 100%%
        max-concurrent-repairs: 10
        metrics-port: 0
        healthcheck:
          master:
            - type: NodeCondition
              params:
                unhealthy-duration: %s
                types: ["Ready"]
                ok-values: ["True"]
          worker:
            - type: NodeCondition
              params:
                unhealthy-duration: %s
                types: ["Ready"]
                ok-values: ["True"]
        kubernetes:
          api-host: %s
        openstack:
        %s
        temporal:
          address: %s
          namespace: %s
        rebuild-delay-after-reboot: 20s
        repair:
          poll-interval: 1s
          gate-recheck-interval: 5s
          drain-timeout: 30s
          csi-detach-timeout: 10s
          require-approval: %s
        """.formatted(
            simulator.cluster().name(),
            seconds(unhealthyDuration), seconds(unhealthyDuration),
            simulator.kubernetes().masterUrl(),
            String.join("\n", openstackKeys.stream().map(k -> "  " + k).toList()),
            temporalTarget, EmbeddedTemporal.NAMESPACE, requireApproval);
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("config.yaml"), yaml);
  }

  /**
   * As {@link #write(Path, Simulator, String, Duration, boolean)}, with top-level keys replaced or
   * added, e.g. {@code leader-elect}, {@code max-unhealthy} or {@code kubernetes} (the fault suites).
   *
   * @param overrides top-level key to its value: a string, number, boolean, list or map
   */
  static Path write(Path dir, Simulator simulator, String temporalTarget, Duration unhealthyDuration,
      boolean requireApproval, Map<String, ?> overrides) throws IOException {
    Path file = write(dir, simulator, temporalTarget, unhealthyDuration, requireApproval);
    if (overrides.isEmpty()) {
      return file;
    }
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode root = (ObjectNode) yaml.readTree(file.toFile());
    overrides.forEach((key, value) -> root.set(key, yaml.valueToTree(value)));
    yaml.writeValue(file.toFile(), root);
    return file;
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + "s";
  }
}
