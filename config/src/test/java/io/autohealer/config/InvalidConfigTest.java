package io.autohealer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InvalidConfigTest {

  static Stream<Arguments> invalidConfigs() {
    return Stream.of(
        Arguments.of("dry-run: false\n", "cluster-name is required (the Magnum cluster uuid or name)"),
        Arguments.of("cluster-name: \"  \"\n", "cluster-name is required (the Magnum cluster uuid or name)"),
        Arguments.of("cluster-name: [a]\n", "cluster-name: expected a string, got a list"),
        Arguments.of(
            "cluster-name: c\nmonitor-interval: abc\n",
            "monitor-interval: \"abc\" is not a duration (expected e.g. 30s, 5m)"),
        Arguments.of(
            "cluster-name: c\nmonitor-interval: 60\n",
            "monitor-interval: 60 is not a duration (expected e.g. 30s, 5m)"),
        Arguments.of("cluster-name: c\nmonitor-interval: 0s\n", "monitor-interval: must be greater than 0s"),
        Arguments.of(
            "cluster-name: c\ncheck-delay-after-add: -1m\n", "check-delay-after-add: must not be negative, got -1m"),
        Arguments.of(
            "cluster-name: c\nrebuild-delay-after-reboot: 5 minutes\n",
            "rebuild-delay-after-reboot: \"5 minutes\" is not a duration (expected e.g. 30s, 5m)"),
        Arguments.of(
            "cluster-name: c\ndry-run: maybe\n", "dry-run: \"maybe\" is not a boolean (expected true or false)"),
        Arguments.of(
            "cluster-name: c\nleader-elect: 2\n", "leader-elect: 2 is not a boolean (expected true or false)"),
        Arguments.of("cluster-name: c\ncloud-provider: aws\n", "cloud-provider: unsupported \"aws\" (expected openstack)"),
        Arguments.of(
            "cluster-name: c\nhealthcheck:\n  worker:\n    - type: Foo\n",
            "healthcheck.worker[0].type: unknown plugin \"Foo\" (expected one of Endpoint, NodeCondition)"),
        Arguments.of(
            "cluster-name: c\nhealthcheck:\n  master:\n    - params: {}\n",
            "healthcheck.master[0].type is required (expected one of Endpoint, NodeCondition)"),
        Arguments.of(
            "cluster-name: c\nhealthcheck:\n  worker: NodeCondition\n",
            "healthcheck.worker: expected a list, got \"NodeCondition\""),
        Arguments.of(
            "cluster-name: c\nhealthcheck:\n  worker:\n    - NodeCondition\n",
            "healthcheck.worker[0]: expected a map of keys, got \"NodeCondition\""),
        Arguments.of(
            "cluster-name: c\nhealthcheck:\n  worker:\n    - type: NodeCondition\n      params: [1]\n",
            "healthcheck.worker[0].params: expected a map of keys, got a list"),
        Arguments.of("cluster-name: c\nopenstack: yes\n", "openstack: expected a map of keys, got \"yes\""),
        Arguments.of(
            "cluster-name: c\nopenstack:\n  tls-insecure: sure\n",
            "openstack.tls-insecure: \"sure\" is not a boolean (expected true or false)"),
        Arguments.of(
            "cluster-name: c\nopenstack:\n  password: a\n  password-file: /x\n",
            "openstack.password-file: cannot be combined with openstack.password"),
        Arguments.of(
            "cluster-name: c\ntemporal:\n  address: localhost\n",
            "temporal.address: \"localhost\" is not host:port (expected e.g. 127.0.0.1:7233)"),
        Arguments.of(
            "cluster-name: c\nrepair:\n  poll-interval: 0s\n", "repair.poll-interval: must be greater than 0s"),
        Arguments.of(
            "cluster-name: c\nCluster-Name: d\n",
            "cluster-name: given twice (as \"cluster-name\" and \"Cluster-Name\"; keys are case-insensitive)"),
        Arguments.of("- a\n- b\n", "test.yaml: expected a map of keys at the top level, got a list"));
  }

  @ParameterizedTest
  @MethodSource("invalidConfigs")
  void invalidConfigNamesTheKey(String yaml, String message) {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.builder().environment(k -> null).build().read(yaml, "test.yaml"));
    assertEquals(message, e.getMessage());
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("cluster-name: c\nopenstack: [\n"));
    assertTrue(e.getMessage().startsWith("config: invalid YAML at line "), e.getMessage());
  }

  @Test
  void environmentOverrideIsValidatedUnderItsName() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.builder()
                    .environment(Map.of("TEMPORAL_ADDRESS", "nope")::get)
                    .build()
                    .read("cluster-name: c", "t"));
    assertEquals("TEMPORAL_ADDRESS: \"nope\" is not host:port (expected e.g. 127.0.0.1:7233)", e.getMessage());
  }

  @Test
  void missingFile() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Path.of("/nonexistent/config.yaml")));
    assertEquals("/nonexistent/config.yaml: no such file", e.getMessage());
  }

  @Test
  void unreadablePasswordFile() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.parse("cluster-name: c\nopenstack:\n  password-file: /nonexistent/pw\n"));
    assertTrue(e.getMessage().startsWith("openstack.password-file: cannot read \"/nonexistent/pw\""), e.getMessage());
  }

  @Test
  void invalidParamNamesTheParamPath() {
    HealthCheckParams params = HealthCheckParams.ofYaml("healthcheck.worker[0].params", "Unhealthy-Duration: soon\ntypes: Ready\n");
    ConfigException duration = assertThrows(ConfigException.class, () -> params.duration("unhealthy-duration", null));
    assertEquals(
        "healthcheck.worker[0].params.unhealthy-duration: \"soon\" is not a duration (expected e.g. 30s, 5m)",
        duration.getMessage());
    ConfigException list = assertThrows(ConfigException.class, () -> params.stringList("types", null));
    assertEquals("healthcheck.worker[0].params.types: expected a list, got \"Ready\"", list.getMessage());
  }
}
