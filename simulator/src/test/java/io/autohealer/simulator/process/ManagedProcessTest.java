package io.autohealer.simulator.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedProcessTest {
  @TempDir Path dir;

  private ManagedProcess sh(String script, String note) {
    return ManagedProcess.start("child", new ProcessBuilder("sh", "-c", script).directory(dir.toFile()),
        dir.resolve("child.log"), note);
  }

  @Test
  void exitedExceptionTellsTheCodeTheLogAndThisStartsOutput() throws Exception {
    ManagedProcess first = sh("echo first run", null);
    while (first.isAlive()) {
      Thread.sleep(10);
    }
    ManagedProcess second = sh("echo listen: address already in use; exit 3", "start #2");
    ManagedProcess.ExitedException e = assertThrows(ManagedProcess.ExitedException.class,
        () -> second.await("ready", Instant.now().plusSeconds(10), Duration.ofSeconds(10), () -> false));
    assertTrue(e.getMessage().startsWith("child exited with code 3 before ready; log " + dir.resolve("child.log")),
        e.getMessage());
    assertTrue(e.portTaken());
    assertFalse(e.output().contains("first run"), e.output());
    assertTrue(e.output().contains("start #2: sh -c"), e.output());
    List<String> log = Files.readAllLines(dir.resolve("child.log"));
    assertTrue(log.get(0).startsWith("=== ") && log.get(0).endsWith(": sh -c echo first run"), log.get(0));
    assertEquals("first run", log.get(1));
  }

  @Test
  void aDeadlineThatPassesTellsWhatWasAwaited() {
    ManagedProcess p = sh("echo waiting; sleep 30", null);
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> p.await("the port answers", Instant.now().plusMillis(200), Duration.ofSeconds(7), () -> false));
      assertTrue(e.getMessage().startsWith("child not ready within 7s: waiting until the port answers"),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("waiting"), e.getMessage());
    } finally {
      p.kill();
    }
  }

  @Test
  void stopSendsSigkillWhenSigtermIsIgnored() {
    ManagedProcess p = sh("trap '' TERM; echo trapped; while true; do sleep 0.1; done", null);
    p.await("the trap is set", Instant.now().plusSeconds(10), Duration.ofSeconds(10),
        () -> p.output().contains("trapped"));
    p.stop(Duration.ofMillis(300));
    assertFalse(p.isAlive(), "a process that ignores SIGTERM is killed after the grace period");
  }

  @Test
  void freePortAvoidsThePortsGiven() {
    int a = ManagedProcess.freePort();
    for (int i = 0; i < 20; i++) {
      assertNotEquals(a, ManagedProcess.freePort(a));
    }
  }
}
