package io.autohealer.detector.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigException;
import io.autohealer.config.HealthCheckParams;
import io.autohealer.detector.CheckResult;
import io.autohealer.detector.HealthCheck;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeConditionCheckTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  private static HealthCheck check(String yaml) {
    return new NodeConditionCheckFactory().create(HealthCheckParams.ofYaml("healthcheck.worker[0].params", yaml));
  }

  private static Node node(String type, String status, Duration ago) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n")
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(ago == null ? null : NOW.minus(ago).toString())
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void readyTrueIsHealthy() {
    assertEquals(CheckResult.healthy(), check("").check(node("Ready", "True", Duration.ofDays(3)), NOW));
  }

  @Test
  void notReadyLongEnoughFailsWithGoName() {
    HealthCheck check = check("unhealthy-duration: 1m");
    CheckResult result = check.check(node("Ready", "False", Duration.ofSeconds(90)), NOW);

    assertEquals("NodeConditionCheck", check.name());
    assertEquals(CheckResult.unhealthy("NodeCondition Ready=False for 1m30s"), result);
  }

  @Test
  void durationIsInclusive() {
    assertInstanceOf(
        CheckResult.Unhealthy.class,
        check("unhealthy-duration: 1m").check(node("Ready", "False", Duration.ofMinutes(1)), NOW));
  }

  @Test
  void notReadyTooShortIsPendingUntilTheDurationElapses() {
    CheckResult result = check("unhealthy-duration: 1m").check(node("Ready", "False", Duration.ofSeconds(20)), NOW);

    CheckResult.Pending pending = assertInstanceOf(CheckResult.Pending.class, result);
    assertEquals(NOW.plusSeconds(40), pending.due());
  }

  @Test
  void defaultDurationIsFiveMinutes() {
    HealthCheck check = check("");
    assertInstanceOf(CheckResult.Pending.class, check.check(node("Ready", "False", Duration.ofSeconds(299)), NOW));
    assertInstanceOf(CheckResult.Unhealthy.class, check.check(node("Ready", "False", Duration.ofSeconds(300)), NOW));
  }

  @Test
  void unknownIsNotAnOkValue() {
    assertEquals(
        CheckResult.unhealthy("NodeCondition Ready=Unknown for 5m"),
        check("").check(node("Ready", "Unknown", Duration.ofMinutes(5)), NOW));
  }

  @Test
  void absentConditionTypeIsHealthy() {
    assertEquals(CheckResult.healthy(), check("").check(node("MemoryPressure", "True", Duration.ofHours(1)), NOW));
    assertEquals(CheckResult.healthy(), check("").check(new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build(), NOW));
  }

  @Test
  void errorValuesTakePrecedenceOverOkValues() {
    HealthCheck check = check("error-values: [\"False\"]");

    // Unknown is not an ok-value, but with error-values only those count.
    assertEquals(CheckResult.healthy(), check.check(node("Ready", "Unknown", Duration.ofHours(1)), NOW));
    assertInstanceOf(CheckResult.Unhealthy.class, check.check(node("Ready", "False", Duration.ofHours(1)), NOW));
  }

  @Test
  void customTypesWithErrorValues() {
    HealthCheck check = check("types: [DiskPressure, Ready]\nerror-values: [\"True\"]\nunhealthy-duration: 30s");

    assertEquals(
        CheckResult.unhealthy("NodeCondition DiskPressure=True for 1m"),
        check.check(node("DiskPressure", "True", Duration.ofMinutes(1)), NOW));
    assertEquals(CheckResult.healthy(), check.check(node("DiskPressure", "False", Duration.ofMinutes(1)), NOW));
  }

  @Test
  void okValuesAreCaseSensitive() {
    assertInstanceOf(CheckResult.Unhealthy.class, check("").check(node("Ready", "true", Duration.ofHours(1)), NOW));
  }

  @Test
  void missingTransitionTimeCountsAsBadForEver() {
    assertInstanceOf(CheckResult.Unhealthy.class, check("").check(node("Ready", "False", null), NOW));
  }

  @Test
  void paramsHaveGoDefaultsAndCaseInsensitiveKeys() {
    HealthCheck defaults = check("");
    assertEquals("NodeConditionCheck[types=[Ready], ok-values=[True], error-values=[], unhealthy-duration=5m]", defaults.toString());
    HealthCheck custom = check("Types: [Ready]\nOK-Values: [\"True\", \"Unknown\"]\nUnhealthy-Duration: 1m");
    assertTrue(custom.toString().contains("ok-values=[True, Unknown]"), custom.toString());
    assertTrue(custom.toString().contains("unhealthy-duration=1m"), custom.toString());
  }

  @Test
  void invalidParamNamesItsPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> check("ok-values: True"));
    assertEquals("healthcheck.worker[0].params.ok-values: expected a list, got true", e.getMessage());
    ConfigException d = assertThrows(ConfigException.class, () -> check("unhealthy-duration: 300"));
    assertEquals(
        "healthcheck.worker[0].params.unhealthy-duration: 300 is not a duration (expected e.g. 30s, 5m)",
        d.getMessage());
  }

  @Test
  void pendingReportsTheEarliestDue() {
    Node node =
        new NodeBuilder(node("Ready", "False", Duration.ofSeconds(10)))
            .editStatus()
            .addNewCondition()
            .withType("DiskPressure")
            .withStatus("True")
            .withLastTransitionTime(NOW.minusSeconds(50).toString())
            .endCondition()
            .endStatus()
            .build();
    CheckResult result =
        check("types: [Ready, DiskPressure]\nerror-values: [\"True\", \"False\"]\nunhealthy-duration: 1m")
            .check(node, NOW);

    assertEquals(NOW.plusSeconds(10), assertInstanceOf(CheckResult.Pending.class, result).due());
  }
}
