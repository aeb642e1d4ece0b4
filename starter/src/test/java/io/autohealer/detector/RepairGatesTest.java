package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ClusterPause;
import io.autohealer.config.MaxUnhealthy;
import io.autohealer.config.SafetySettings;
import io.autohealer.workflows.NodeRole;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each gate on its own, both ways; no Kubernetes, no Temporal. */
class RepairGatesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final RepairGates DEFAULTS = new RepairGates(SafetySettings.defaults());

  /** 10 workers and 3 masters, one worker failing, nothing running. */
  private static RepairGates.ClusterState calm() {
    return new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 0, 1, 0, 0);
  }

  private static RepairGates.Candidate worker() {
    return new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, null, List.of());
  }

  private static RepairGates.Candidate master() {
    return new RepairGates.Candidate("k8s-master-0", NodeRole.MASTER, false, null, null, List.of());
  }

  private static Decision gate(RepairGates gates, RepairGates.Candidate candidate, RepairGates.ClusterState state) {
    return gates.check(candidate, state, NOW).map(RepairGates.Block::decision).orElse(Decision.REPAIR_STARTED);
  }

  private static RepairGates gates(MaxUnhealthy maxUnhealthy, int concurrent, int masters) {
    SafetySettings d = SafetySettings.defaults();
    return new RepairGates(new SafetySettings(maxUnhealthy, concurrent, masters, d.repairCooldown(), d.repairBudget(),
        d.repairBudgetWindow(), d.controlNamespace()));
  }

  @Test
  void aCalmClusterLetsTheRepairStart() {
    assertEquals(Optional.empty(), DEFAULTS.check(worker(), calm(), NOW));
    assertEquals(Optional.empty(), DEFAULTS.check(master(), calm(), NOW));
  }

  @Test
  void apiUnreadable() {
    RepairGates.ClusterState down = new RepairGates.ClusterState("the Node watch is down", Optional.empty(), 3, 10, 0, 1, 0, 0);
    RepairGates.Block block = DEFAULTS.check(worker(), down, NOW).orElseThrow();
    assertEquals(Decision.BLOCKED_API_UNREADABLE, block.decision());
    assertTrue(block.message().contains("the Node watch is down"), block.message());
    assertNull(block.retryAt());
  }

  @Test
  void pause() {
    RepairGates.ClusterState paused = new RepairGates.ClusterState(
        null, Optional.of(new ClusterPause("alice", "etcd maintenance", null)), 3, 10, 0, 1, 0, 0);
    RepairGates.Block block = DEFAULTS.check(worker(), paused, NOW).orElseThrow();
    assertEquals(Decision.BLOCKED_PAUSED, block.decision());
    assertEquals(
        "the healer is paused by alice: etcd maintenance (ConfigMap kube-system/magnum-autohealer-control)",
        block.message());
  }

  @Test
  void optOut() {
    RepairGates.Candidate excluded = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, true, null, null, List.of());
    assertEquals(Decision.BLOCKED_OPTED_OUT, gate(DEFAULTS, excluded, calm()));
  }

  @Test
  void stormByPercent() {
    // 40% of 10 workers is 4: 4 failing may be repaired, 5 may not.
    assertEquals(Decision.REPAIR_STARTED, gate(DEFAULTS, worker(), new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 0, 4, 0, 0)));
    RepairGates.ClusterState storm = new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 0, 5, 0, 0);
    RepairGates.Block block = DEFAULTS.check(worker(), storm, NOW).orElseThrow();
    assertEquals(Decision.BLOCKED_STORM, block.decision());
    assertTrue(block.message().startsWith("5 of 10 worker nodes are unhealthy, more than max-unhealthy 40% allows (4)"),
        block.message());
    // The storm is the workers': masters are judged on their own count.
    assertEquals(Decision.REPAIR_STARTED, gate(DEFAULTS, master(), storm));
    assertTrue(DEFAULTS.storm(NodeRole.WORKER, storm));
  }

  @Test
  void stormByCount() {
    RepairGates two = gates(new MaxUnhealthy(2, false), 1, 1);
    assertEquals(Decision.REPAIR_STARTED, gate(two, worker(), new RepairGates.ClusterState(null, Optional.empty(), 3, 100, 0, 2, 0, 0)));
    assertEquals(Decision.BLOCKED_STORM, gate(two, worker(), new RepairGates.ClusterState(null, Optional.empty(), 3, 100, 0, 3, 0, 0)));
    // Two of three masters failing: 40% of 3 is 1.
    assertEquals(Decision.BLOCKED_STORM, gate(DEFAULTS, master(), new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 2, 0, 0, 0)));
  }

  @Test
  void historyUnknown() {
    RepairGates.Candidate unknown = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, "UNAVAILABLE", null, List.of());
    assertEquals(Decision.BLOCKED_HISTORY_UNKNOWN, gate(DEFAULTS, unknown, calm()));
  }

  @Test
  void budget() {
    Duration day = Duration.ofHours(24);
    List<Instant> three = List.of(NOW.minus(Duration.ofHours(20)), NOW.minus(Duration.ofHours(5)), NOW.minusSeconds(60));
    RepairGates.Candidate exhausted = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, null, three);
    RepairGates.Block block = DEFAULTS.check(exhausted, calm(), NOW).orElseThrow();
    assertEquals(Decision.BLOCKED_BUDGET_EXHAUSTED, block.decision());
    // Frees when the oldest of the three leaves the window.
    assertEquals(three.get(0).plus(day), block.retryAt());
    assertTrue(block.message().contains("left for a person"), block.message());

    List<Instant> oneTooOld = List.of(NOW.minus(Duration.ofHours(25)), NOW.minus(Duration.ofHours(5)), NOW.minusSeconds(60));
    RepairGates.Candidate within = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, null, oneTooOld);
    assertEquals(Decision.REPAIR_STARTED, gate(DEFAULTS, within, calm()));
  }

  @Test
  void cooldown() {
    RepairGates.Candidate recent =
        new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, NOW.minus(Duration.ofMinutes(10)), List.of());
    RepairGates.Block block = DEFAULTS.check(recent, calm(), NOW).orElseThrow();
    assertEquals(Decision.BLOCKED_COOLDOWN, block.decision());
    assertEquals(NOW.plus(Duration.ofMinutes(20)), block.retryAt());

    RepairGates.Candidate old =
        new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, NOW.minus(Duration.ofMinutes(30)), List.of());
    assertEquals(Decision.REPAIR_STARTED, gate(DEFAULTS, old, calm()));
  }

  @Test
  void oneMasterAtATime() {
    RepairGates roomy = gates(MaxUnhealthy.DEFAULT, 5, 1);
    RepairGates.ClusterState masterRunning = new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 1, 1, 1, 1);
    assertEquals(Decision.BLOCKED_MASTER_IN_REPAIR, gate(roomy, master(), masterRunning));
    assertEquals(Decision.REPAIR_STARTED, gate(roomy, worker(), masterRunning));
    RepairGates.ClusterState workerRunning = new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 1, 1, 1, 0);
    assertEquals(Decision.REPAIR_STARTED, gate(roomy, master(), workerRunning));
    RepairGates.Block off = gates(MaxUnhealthy.DEFAULT, 5, 0).check(master(), workerRunning, NOW).orElseThrow();
    assertEquals("master repairs are off (max-concurrent-master-repairs: 0)", off.message());
  }

  @Test
  void concurrency() {
    RepairGates.ClusterState oneRunning = new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 0, 2, 1, 0);
    assertEquals(Decision.BLOCKED_CONCURRENCY, gate(DEFAULTS, worker(), oneRunning));
    assertEquals(Decision.REPAIR_STARTED, gate(gates(MaxUnhealthy.DEFAULT, 2, 1), worker(), oneRunning));
  }

  @Test
  void theFirstGateThatHoldsIsTheReason() {
    RepairGates.Candidate everything = new RepairGates.Candidate(
        "k8s-node-1", NodeRole.WORKER, true, "UNAVAILABLE", NOW, List.of(NOW, NOW, NOW));
    RepairGates.ClusterState worst = new RepairGates.ClusterState(
        "down", Optional.of(new ClusterPause(null, "x", null)), 3, 10, 3, 10, 9, 1);
    assertEquals(Decision.BLOCKED_API_UNREADABLE, gate(DEFAULTS, everything, worst));
    worst = new RepairGates.ClusterState(null, worst.pause(), 3, 10, 3, 10, 9, 1);
    assertEquals(Decision.BLOCKED_PAUSED, gate(DEFAULTS, everything, worst));
    worst = new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 3, 10, 9, 1);
    assertEquals(Decision.BLOCKED_OPTED_OUT, gate(DEFAULTS, everything, worst));
    everything = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, "UNAVAILABLE", NOW, List.of(NOW, NOW, NOW));
    assertEquals(Decision.BLOCKED_STORM, gate(DEFAULTS, everything, worst));
    worst = new RepairGates.ClusterState(null, Optional.empty(), 3, 10, 3, 1, 9, 1);
    assertEquals(Decision.BLOCKED_HISTORY_UNKNOWN, gate(DEFAULTS, everything, worst));
    everything = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, NOW, List.of(NOW, NOW, NOW));
    assertEquals(Decision.BLOCKED_BUDGET_EXHAUSTED, gate(DEFAULTS, everything, worst));
    everything = new RepairGates.Candidate("k8s-node-1", NodeRole.WORKER, false, null, NOW, List.of());
    assertEquals(Decision.BLOCKED_COOLDOWN, gate(DEFAULTS, everything, worst));
  }

  @Test
  void budgetAnnotationKeepsOnlyTheWindow() {
    Duration day = Duration.ofHours(24);
    String value = "2026-11-23T12:00:00Z, junk ,2026-11-25T01:00:00Z";
    assertEquals(List.of(Instant.parse("2026-11-23T12:00:00Z"), Instant.parse("2026-11-25T01:00:00Z")), RepairBudget.parse(value));
    assertEquals("2026-11-25T01:00:00Z,2026-11-25T12:00:00Z",
        RepairBudget.record(RepairBudget.parse(value), NOW.plusMillis(250), day));
    assertEquals(List.of(), RepairBudget.parse(null));
  }
}
