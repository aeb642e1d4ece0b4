package io.autohealer.configs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.process.ManagedProcess;
import io.autohealer.worker.WorkerMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker whose Temporal server does not answer says so in one line and exits 1. */
class WorkerWithoutTemporalTest {
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aWorkerThatCannotReachTemporalExitsOneWithOneLine(@TempDir Path dir) throws Exception {
    int nobody = ManagedProcess.freePort();
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        cluster-name: c1
        openstack:
          auth-url: http://127.0.0.1:1/v3
          user-id: u1
          password: not-used
          project-id: p1
        temporal:
          address: 127.0.0.1:%d
        """.formatted(nobody));
    StringWriter err = new StringWriter();

    int code = WorkerMain.run(new PrintWriter(err, true), "--config", config.toString(), "--metrics-port", "0");

    String stderr = err.toString();
    assertEquals(1, code, stderr);
    assertTrue(stderr.startsWith("error: cannot start polling Temporal at 127.0.0.1:" + nobody + " (namespace default): "),
        stderr);
    assertEquals(1, stderr.lines().count(), stderr);
  }
}
