package io.autohealer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The detector's additive keys: safety gates, leader-election, metrics-port. */
class SafetyConfigTest {
  private final List<String> warnings = new ArrayList<>();

  private AutoHealerConfig load(String yaml) {
    return ConfigLoader.builder().environment(k -> null).warnings(warnings::add).build().read(yaml, "test.yaml");
  }

  @Test
  void defaults() {
    AutoHealerConfig config = load("cluster-name: c1\n");

    SafetySettings safety = config.safety();
    assertEquals(SafetySettings.defaults(), safety);
    assertEquals(new MaxUnhealthy(40, true), safety.maxUnhealthy());
    assertEquals(1, safety.maxConcurrentRepairs());
    assertEquals(1, safety.maxConcurrentMasterRepairs());
    assertEquals(Duration.ofMinutes(30), safety.repairCooldown());
    assertEquals(3, safety.repairBudget());
    assertEquals(Duration.ofHours(24), safety.repairBudgetWindow());
    assertEquals("kube-system", safety.controlNamespace());
    assertEquals(
        new LeaderElectionSettings(
            "kube-system", "magnum-auto-healer", Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ofSeconds(5)),
        config.leaderElection());
    assertEquals(9464, config.metricsPort());
  }

  @Test
  void everyKeyIsRead() {
    AutoHealerConfig config =
        load(
            """
            cluster-name: c1
            max-unhealthy: 3
            max-concurrent-repairs: 2
            max-concurrent-master-repairs: 0
            repair-cooldown: 1h
            repair-budget: 5
            repair-budget-window: 12h
            control-namespace: autohealer
            leader-election:
              namespace: autohealer
              name: healer.lock
              lease-duration: 60s
              renew-deadline: 40s
              retry-period: 10s
            metrics-port: 0
            """);

    assertEquals(
        new SafetySettings(new MaxUnhealthy(3, false), 2, 0, Duration.ofHours(1), 5, Duration.ofHours(12), "autohealer"),
        config.safety());
    assertEquals(
        new LeaderElectionSettings(
            "autohealer", "healer.lock", Duration.ofSeconds(60), Duration.ofSeconds(40), Duration.ofSeconds(10)),
        config.leaderElection());
    assertEquals(0, config.metricsPort());
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void keysAreCaseInsensitiveAndPercentMayBeQuotedOrNot() {
    AutoHealerConfig config = load("cluster-name: c1\nMax-Unhealthy: \"25%\"\nLeader-Election:\n  Name: x\n");
    assertEquals(new MaxUnhealthy(25, true), config.safety().maxUnhealthy());
    assertEquals("x", config.leaderElection().name());
    assertEquals(new MaxUnhealthy(2, false), load("cluster-name: c1\nmax-unhealthy: \"2\"\n").safety().maxUnhealthy());
    assertEquals(new MaxUnhealthy(100, true), load("cluster-name: c1\nmax-unhealthy: 100%\n").safety().maxUnhealthy());
  }

  @Test
  void unknownLeaderElectionKeyWarns() {
    load("cluster-name: c1\nleader-election:\n  lease: 1\n");
    assertEquals(List.of("unknown config key leader-election.lease is ignored"), warnings);
  }

  @ParameterizedTest(name = "{0} of {1} nodes allows {2}")
  @CsvSource({
    "40%, 10, 4", "40%, 5, 2", "40%, 3, 1", "40%, 2, 1", "40%, 1, 1", "40%, 0, 1",
    "100%, 7, 7", "0%, 10, 0", "3, 10, 3", "3, 1, 3", "0, 10, 0", "51%, 3, 1"
  })
  void limits(String maxUnhealthy, int total, int limit) {
    assertEquals(limit, MaxUnhealthy.parse(maxUnhealthy).orElseThrow().limit(total));
  }

  @Test
  void parseRejectsWhatIsNotACountOrAPercentage() {
    for (String bad : new String[] {"", "-1", "101%", "40 %%", "4.5", "forty", "%", "40%%"}) {
      assertEquals(Optional.empty(), MaxUnhealthy.parse(bad), bad);
    }
    assertEquals("40%", MaxUnhealthy.DEFAULT.toString());
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("max-unhealthy: lots\n",
            "max-unhealthy: \"lots\" is neither a count nor a percentage (expected e.g. 3 or 40%, a percentage at most 100%)"),
        Arguments.of("max-unhealthy: 150%\n",
            "max-unhealthy: \"150%\" is neither a count nor a percentage (expected e.g. 3 or 40%, a percentage at most 100%)"),
        Arguments.of("max-unhealthy: -2\n",
            "max-unhealthy: -2 is neither a count nor a percentage (expected e.g. 3 or 40%, a percentage at most 100%)"),
        Arguments.of("max-unhealthy: [1]\n",
            "max-unhealthy: a list is neither a count nor a percentage (expected e.g. 3 or 40%, a percentage at most 100%)"),
        Arguments.of("max-concurrent-repairs: 0\n",
            "max-concurrent-repairs: must be at least 1, got 0 (to stop new repairs, pause the cluster instead)"),
        Arguments.of("max-concurrent-repairs: two\n", "max-concurrent-repairs: \"two\" is not an integer"),
        Arguments.of("max-concurrent-master-repairs: 2\n",
            "max-concurrent-master-repairs: must be 0 or 1, got 2 (masters are repaired one at a time so that etcd keeps its quorum)"),
        Arguments.of("repair-cooldown: soon\n", "repair-cooldown: \"soon\" is not a duration (expected e.g. 30s, 5m)"),
        Arguments.of("repair-cooldown: -5m\n", "repair-cooldown: must not be negative, got -5m"),
        Arguments.of("repair-budget: 0\n", "repair-budget: must be at least 1, got 0"),
        Arguments.of("repair-budget: 1.5\n", "repair-budget: 1.5 is not an integer"),
        Arguments.of("repair-budget-window: 0s\n", "repair-budget-window: must be greater than 0s"),
        Arguments.of("repair-budget-window: 24\n", "repair-budget-window: 24 is not a duration (expected e.g. 30s, 5m)"),
        Arguments.of("control-namespace: Kube_System\n",
            "control-namespace: \"Kube_System\" is not a valid namespace (expected at most 63 lower-case letters, digits and '-', e.g. kube-system)"),
        Arguments.of("leader-election: true\n", "leader-election: expected a map of keys, got true"),
        Arguments.of("leader-election:\n  namespace: a.b\n",
            "leader-election.namespace: \"a.b\" is not a valid namespace (expected at most 63 lower-case letters, digits and '-', e.g. kube-system)"),
        Arguments.of("leader-election:\n  name: My Lease\n",
            "leader-election.name: \"My Lease\" is not a valid Lease name (expected lower-case letters, digits, '-' and '.', e.g. magnum-auto-healer)"),
        Arguments.of("leader-election:\n  lease-duration: 0s\n", "leader-election.lease-duration: must be greater than 0s"),
        Arguments.of("leader-election:\n  retry-period: 5\n",
            "leader-election.retry-period: 5 is not a duration (expected e.g. 30s, 5m)"),
        Arguments.of("leader-election:\n  lease-duration: 15s\n",
            "leader-election.renew-deadline: must be less than leader-election.lease-duration (15s is not less than 15s)"),
        Arguments.of("leader-election:\n  retry-period: 13s\n",
            "leader-election.renew-deadline: must be more than 1.2 times leader-election.retry-period (15s is not more than 1.2 x 13s)"),
        Arguments.of("metrics-port: 70000\n", "metrics-port: 70000 is not a port (expected 1 to 65535, or 0 for off)"),
        Arguments.of("metrics-port: -1\n", "metrics-port: -1 is not a port (expected 1 to 65535, or 0 for off)"),
        Arguments.of("metrics-port: http\n", "metrics-port: \"http\" is not an integer"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void invalidValueNamesTheKey(String yaml, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> load("cluster-name: c1\n" + yaml));
    assertEquals(message, e.getMessage());
  }
}
