package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.checks.NodeConditionCheckFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthCheckRegistryTest {
  private static final String SEED_CHECKS =
      """
      cluster-name: c1
      healthcheck:
        master:
          - type: Endpoint
            params:
              unhealthy-duration: 30s
              protocol: HTTPS
              port: 6443
              endpoints: ["/healthz"]
              ok-codes: [200]
          - type: NodeCondition
            params:
              unhealthy-duration: 1m
              types: ["Ready"]
              ok-values: ["True"]
        worker:
          - type: Endpoint
          - type: NodeCondition
      """;

  private static AutoHealerConfig config(String yaml) {
    return ConfigLoader.builder().healthCheckTypes(HealthCheckRegistry.load().types()).build().read(yaml, "test");
  }

  @Test
  void builtInFactoriesAreFoundByServiceLoader() {
    assertEquals(List.of("Endpoint", "NodeCondition"), HealthCheckRegistry.load().types());
  }

  @Test
  void endpointIsEvaluatedOnMastersAndWorkers() {
    HealthChecks checks = HealthCheckRegistry.load().build(config(SEED_CHECKS).healthCheck());

    assertEquals(List.of("EndpointCheck", "NodeConditionCheck"), checks.master().stream().map(HealthCheck::name).toList());
    assertEquals(List.of("EndpointCheck", "NodeConditionCheck"), checks.worker().stream().map(HealthCheck::name).toList());
    assertEquals(4, checks.all().size());
  }

  @Test
  void endpointParamsAreValidated() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> HealthCheckRegistry.load().build(config(
                "cluster-name: c\nhealthcheck:\n  master:\n    - type: Endpoint\n      params: {protocol: tcp}\n").healthCheck()));
    assertEquals("healthcheck.master[0].params.protocol: unsupported \"tcp\" (expected http or https)", e.getMessage());
  }

  @Test
  void typeWithoutFactoryIsAConfigError() {
    AutoHealerConfig config = config("cluster-name: c\nhealthcheck:\n  worker:\n    - type: Endpoint\n");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> HealthCheckRegistry.of(new NodeConditionCheckFactory()).build(config.healthCheck()));
    assertEquals("healthcheck.worker[0].type: unknown plugin \"Endpoint\" (expected one of NodeCondition)", e.getMessage());
  }

  @Test
  void duplicateTypesAreRefused() {
    assertThrows(
        IllegalStateException.class,
        () -> HealthCheckRegistry.of(new NodeConditionCheckFactory(), new NodeConditionCheckFactory()));
  }
}
