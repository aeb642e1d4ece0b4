package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorMainTest {
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new DetectorMain(new PrintWriter(err, true)).execute(args);
  }

  private Path config(String yaml) throws IOException {
    return Files.writeString(dir.resolve("config.yaml"), yaml);
  }

  @Test
  void missingConfigFileIsOneErrorLineAndExitTwo() {
    assertEquals(2, run("--config", "/nonexistent/config.yaml"));
    assertEquals("error: /nonexistent/config.yaml: no such file" + System.lineSeparator(), err.toString());
  }

  @Test
  void invalidConfigNamesTheKey() throws IOException {
    Path file = config("cluster-name: c1\nmonitor-interval: abc\n");

    assertEquals(2, run("--config", file.toString()));
    assertEquals(
        "error: monitor-interval: \"abc\" is not a duration (expected e.g. 30s, 5m)" + System.lineSeparator(),
        err.toString());
  }

  @Test
  void invalidPluginParamIsAConfigError() throws IOException {
    Path file = config("cluster-name: c1\nhealthcheck:\n  master:\n    - type: Endpoint\n      params: {port: 0}\n");

    assertEquals(2, run("--config", file.toString()));
    assertEquals(
        "error: healthcheck.master[0].params.port: 0 is not a port (expected 1 to 65535)" + System.lineSeparator(),
        err.toString());
  }

  @Test
  void anEndpointProtocolOtherThanHttpIsAConfigErrorNotAPanic() throws IOException {
    Path file = config("cluster-name: c1\nhealthcheck:\n  worker:\n    - type: Endpoint\n      params: {protocol: tcp}\n");

    assertEquals(2, run("--config", file.toString()));
    assertEquals(
        "error: healthcheck.worker[0].params.protocol: unsupported \"tcp\" (expected http or https)"
            + System.lineSeparator(),
        err.toString());
  }

  @Test
  void missingKubeconfigIsAConfigError() throws IOException {
    Path file = config("cluster-name: c1\nkubernetes:\n  kubeconfig: /nonexistent/kubeconfig\n");

    assertEquals(2, run("--config", file.toString()));
    assertEquals(
        "error: kubernetes.kubeconfig: no such file \"/nonexistent/kubeconfig\"" + System.lineSeparator(), err.toString());
  }

  @Test
  void invalidSafetyGateKeyIsAConfigError() throws IOException {
    Path file = config("cluster-name: c1\nmax-unhealthy: 150%\n");

    assertEquals(2, run("--config", file.toString()));
    assertEquals(
        "error: max-unhealthy: \"150%\" is neither a count nor a percentage (expected e.g. 3 or 40%, a percentage at most 100%)"
            + System.lineSeparator(),
        err.toString());
  }

  @Test
  void invalidLeaderElectionTimingIsAConfigError() throws IOException {
    Path file = config("cluster-name: c1\nleader-election:\n  lease-duration: 10s\n");

    assertEquals(2, run("--config", file.toString()));
    assertEquals(
        "error: leader-election.renew-deadline: must be less than leader-election.lease-duration (15s is not less than 10s)"
            + System.lineSeparator(),
        err.toString());
  }

  @Test
  void metricsPortInUseIsFatal() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
          apiVersion: v1
          kind: Config
          clusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]
          contexts: [{name: x, context: {cluster: x, user: x}}]
          current-context: x
          users: [{name: x, user: {token: t}}]
          """);
      Path file = config("cluster-name: c1\nleader-elect: false\nmetrics-port: " + taken.getLocalPort()
          + "\nkubernetes:\n  kubeconfig: " + kubeconfig + "\n");

      assertEquals(1, run("--config", file.toString()));
    }
  }

  @Test
  void configOptionIsRequired() {
    assertEquals(2, run());
    assertTrue(err.toString().startsWith("Missing required option: '--config=<path>'"), err.toString());
  }
}
