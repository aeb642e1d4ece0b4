package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.workflows.NodeRole;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeEvaluatorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private final List<String> ran = new ArrayList<>();

  private static AutoHealerConfig config(String extra) {
    return ConfigLoader.builder().environment(k -> null).build().read("cluster-name: c1\n" + extra, "test");
  }

  private HealthCheck fixed(String name, CheckResult result) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean supportsMaster() {
        return true;
      }

      @Override
      public boolean supportsWorker() {
        return true;
      }

      @Override
      public CheckResult check(Node node, Instant now) {
        ran.add(name);
        return result;
      }
    };
  }

  private static Node oldWorker() {
    return TestNodes.worker("w1", "True", NOW.minusSeconds(3600))
        .editMetadata().withCreationTimestamp(NOW.minus(Duration.ofDays(1)).toString()).endMetadata().build();
  }

  @Test
  void firstFailingCheckInConfigOrderWins() {
    HealthCheck a = fixed("A", CheckResult.pending("soon", NOW.plusSeconds(5)));
    HealthCheck b = fixed("B", CheckResult.unhealthy("broken"));
    HealthCheck c = fixed("C", CheckResult.unhealthy("also broken"));
    NodeEvaluator evaluator = new NodeEvaluator(config(""), new HealthChecks(List.of(), List.of(a, b, c)));

    assertEquals(new Verdict.Unhealthy(NodeRole.WORKER, "B", "broken"), evaluator.evaluate(oldWorker(), NOW));
    assertEquals(List.of("A", "B"), ran);
  }

  @Test
  void earliestPendingDueWhenAllPass() {
    HealthCheck a = fixed("A", CheckResult.pending("later", NOW.plusSeconds(50)));
    HealthCheck b = fixed("B", CheckResult.pending("sooner", NOW.plusSeconds(5)));
    HealthCheck c = fixed("C", CheckResult.healthy());
    NodeEvaluator evaluator = new NodeEvaluator(config(""), new HealthChecks(List.of(), List.of(a, b, c)));

    assertEquals(new Verdict.Pending(NOW.plusSeconds(5)), evaluator.evaluate(oldWorker(), NOW));
  }

  @Test
  void aCheckThatCannotJudgeLeavesTheNodeUnknownUnlessAnotherFails() {
    HealthCheck a = fixed("A", CheckResult.unknown("no InternalIP"));
    HealthCheck b = fixed("B", CheckResult.pending("soon", NOW.plusSeconds(5)));
    NodeEvaluator unknown = new NodeEvaluator(config(""), new HealthChecks(List.of(), List.of(a, b)));
    assertEquals(new Verdict.Unknown(NodeRole.WORKER, "A", "no InternalIP", NOW.plusSeconds(5)),
        unknown.evaluate(oldWorker(), NOW));

    HealthCheck c = fixed("C", CheckResult.unhealthy("broken"));
    NodeEvaluator failing = new NodeEvaluator(config(""), new HealthChecks(List.of(), List.of(a, c)));
    assertEquals(new Verdict.Unhealthy(NodeRole.WORKER, "C", "broken"), failing.evaluate(oldWorker(), NOW));
  }

  @Test
  void youngNodeIsCheckedOnlyAfterTheDelay() {
    Node young = TestNodes.worker("w1", "False", NOW.minusSeconds(3600))
        .editMetadata().withCreationTimestamp(NOW.minusSeconds(60).toString()).endMetadata().build();
    NodeEvaluator evaluator =
        new NodeEvaluator(config("check-delay-after-add: 20m"), new HealthChecks(List.of(), List.of(fixed("A", CheckResult.unhealthy("x")))));

    assertEquals(new Verdict.Young(NOW.plus(Duration.ofMinutes(19))), evaluator.evaluate(young, NOW));
    assertEquals(List.of(), ran);
  }

  @Test
  void disabledMonitorsAndMissingChecksIgnoreTheRole() {
    HealthChecks both = new HealthChecks(List.of(fixed("M", CheckResult.unhealthy("x"))), List.of(fixed("W", CheckResult.unhealthy("x"))));
    Node master = TestNodes.master("m1", "False", NOW).editMetadata().withCreationTimestamp(NOW.minus(Duration.ofDays(1)).toString()).endMetadata().build();

    assertInstanceOf(Verdict.Ignored.class, new NodeEvaluator(config("worker-monitor-enabled: false"), both).evaluate(oldWorker(), NOW));
    assertInstanceOf(Verdict.Ignored.class, new NodeEvaluator(config("master-monitor-enabled: false"), both).evaluate(master, NOW));
    assertInstanceOf(Verdict.Unhealthy.class, new NodeEvaluator(config("master-monitor-enabled: false"), both).evaluate(oldWorker(), NOW));
    assertInstanceOf(Verdict.Ignored.class, new NodeEvaluator(config(""), new HealthChecks(both.master(), List.of())).evaluate(oldWorker(), NOW));
    assertEquals(new Verdict.Unhealthy(NodeRole.MASTER, "M", "x"), new NodeEvaluator(config(""), both).evaluate(master, NOW));
  }

  @Test
  void workerWithoutConditionsIsNotCheckedYet() {
    Node fresh = TestNodes.worker("w1", "True", NOW).editStatus().withConditions(List.of()).endStatus().build();
    NodeEvaluator evaluator = new NodeEvaluator(config(""), new HealthChecks(List.of(), List.of(fixed("W", CheckResult.unhealthy("x")))));

    assertInstanceOf(Verdict.Ignored.class, evaluator.evaluate(fresh, NOW));
  }
}
