package io.autohealer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.RealLane;
import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.autohealer.simulator.realkube.RealKubernetes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real-apiserver detector benchmark, small: 50 kwok nodes, so that its code path (kwok nodes,
 * the audit log's request count, a detector as a ServiceAccount) runs in the real lane. The numbers
 * themselves come from {@code bin/bench-detector --real-kubernetes}; this asserts only what must hold
 * at any size: the detector lists and watches the Nodes once at start-up, and its passes make no
 * request at all.
 */
@RealKubernetes
class RealKubeDetectorBenchmarkTest {

  @Test
  void passesOverKwokNodesMakeNoRequestAfterOneListAndWatch() throws Exception {
    Path dir = RealLane.workDir("real-kube", getClass().getSimpleName());
    try (RealKubeApiServer kube = RealKubeDetectorBenchmark.startControlPlane(dir)) {
      RealKubeDetectorBenchmark.Result result = RealKubeDetectorBenchmark.measure(kube, dir, 50, 3, Duration.ofSeconds(2));
      result.print(System.out);

      Map<String, Long> start = result.startCalls();
      assertEquals(1L, start.get("list nodes"), "one LIST of the Nodes at start-up: " + start);
      assertEquals(1L, start.get("watch nodes"), "one WATCH of the Nodes at start-up: " + start);
      assertTrue(start.keySet().stream().noneMatch(k -> k.startsWith("get nodes") || k.startsWith("update nodes")),
          "no per-node request at start-up: " + start);
      assertEquals(3, result.passCalls().size());
      assertTrue(result.passesMadeNoRequest(), "requests in the passes " + result.passCalls()
          + ", in the idle window " + result.idleCalls());
      assertEquals(50, result.lastPass().nodes(), "the pass saw every kwok node");
      assertEquals(50, result.lastPass().healthy(), "kwok keeps every node Ready");
    }
  }
}
