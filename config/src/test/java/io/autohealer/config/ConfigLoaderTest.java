package io.autohealer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.workflows.RepairPolicy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private final List<String> warnings = new ArrayList<>();

  private ConfigLoader loader(Map<String, String> env) {
    return ConfigLoader.builder().environment(env::get).warnings(warnings::add).build();
  }

  private AutoHealerConfig load(String yaml) {
    return loader(Map.of()).read(yaml, "test.yaml");
  }

  private static Path seed() throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/seed-config.yaml").toURI());
  }

  @Test
  void seedSampleLoadsUnchanged() throws URISyntaxException {
    AutoHealerConfig config = loader(Map.of()).read(seed());

    assertEquals("${magnum_cluster_uuid}", config.clusterName());
    assertFalse(config.dryRun());
    assertTrue(config.leaderElect());
    assertEquals(Duration.ofSeconds(15), config.monitorInterval());
    assertEquals(Duration.ofMinutes(20), config.checkDelayAfterAdd());
    assertEquals(Duration.ofMinutes(5), config.rebuildDelayAfterReboot());

    List<HealthCheckSpec> master = config.healthCheck().master();
    assertEquals(List.of("Endpoint", "NodeCondition"), master.stream().map(HealthCheckSpec::type).toList());
    assertEquals(Duration.ofSeconds(30), master.get(0).params().duration("unhealthy-duration", null));
    assertEquals("HTTPS", master.get(0).params().string("protocol", null));
    assertEquals(6443, master.get(0).params().integer("port", 0));
    assertEquals(List.of("/healthz"), master.get(0).params().stringList("endpoints", List.of()));
    assertEquals(List.of(200), master.get(0).params().integerList("ok-codes", List.of()));

    List<HealthCheckSpec> worker = config.healthCheck().worker();
    assertEquals(1, worker.size());
    assertEquals("NodeCondition", worker.get(0).type());
    assertEquals("healthcheck.worker[0]", worker.get(0).path());
    assertEquals(Duration.ofMinutes(1), worker.get(0).params().duration("unhealthy-duration", null));
    assertEquals(List.of("Ready"), worker.get(0).params().stringList("types", List.of()));
    assertEquals(List.of("True"), worker.get(0).params().stringList("ok-values", List.of()));

    OpenStackSettings os = config.openstack();
    assertEquals("${keystone_auth_url}", os.authUrl());
    assertEquals("${user_id}", os.userId());
    assertEquals("${user_project_id}", os.projectId());
    assertEquals("${password}", os.password());
    assertEquals("${region}", os.region());
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void magnumsOwnDeploymentConfigLoadsUnchanged() throws URISyntaxException {
    Path file = Path.of(ConfigLoaderTest.class.getResource("/magnum-deployment-config.yaml").toURI());

    AutoHealerConfig config = loader(Map.of()).read(file);

    assertEquals(Duration.ofSeconds(30), config.monitorInterval());
    assertEquals(Duration.ofMinutes(20), config.checkDelayAfterAdd());
    assertEquals(List.of(Duration.ofMinutes(3), Duration.ofMinutes(3)), config.healthCheck().master().stream()
        .map(c -> c.params().duration("unhealthy-duration", null)).toList());
    assertEquals(Duration.ofMinutes(3),
        config.healthCheck().worker().get(0).params().duration("unhealthy-duration", null));
    OpenStackSettings os = config.openstack();
    assertEquals("${TRUSTEE_USER_ID}", os.userId());
    assertEquals("${TRUSTEE_PASSWORD}", os.password());
    assertEquals("${TRUST_ID}", os.trustId());
    assertEquals("/etc/kubernetes/ca-bundle.crt", os.caFile());
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void seedSampleLoadsThroughStaticEntryPoint() throws URISyntaxException {
    assertEquals(Duration.ofSeconds(15), ConfigLoader.load(seed()).monitorInterval());
  }

  @Test
  void absentKeysTakeGoDefaults() {
    AutoHealerConfig config = load("cluster-name: c1\n");

    assertEquals("c1", config.clusterName());
    assertFalse(config.dryRun());
    assertEquals("openstack", config.cloudProvider());
    assertEquals(Duration.ofSeconds(60), config.monitorInterval());
    assertTrue(config.masterMonitorEnabled());
    assertTrue(config.workerMonitorEnabled());
    assertTrue(config.leaderElect());
    assertEquals(Duration.ofMinutes(10), config.checkDelayAfterAdd());
    assertEquals(Duration.ofMinutes(5), config.rebuildDelayAfterReboot());
    assertTrue(config.healthCheck().master().isEmpty());
    assertTrue(config.healthCheck().worker().isEmpty());
    assertEquals(KubernetesSettings.inCluster(), config.kubernetes());
    assertNull(config.openstack().authUrl());
    assertNull(config.openstack().password());
    assertFalse(config.openstack().tlsInsecure());
    assertEquals(TemporalSettings.defaults(), config.temporal());
    assertEquals(RepairPolicy.defaults(), config.repair());
  }

  @Test
  void keysAreCaseInsensitive() {
    AutoHealerConfig config =
        load(
            """
            Cluster-Name: c1
            DRY-RUN: true
            Monitor-Interval: 1m30s
            HealthCheck:
              Worker:
                - Type: NodeCondition
                  Params:
                    Unhealthy-Duration: 500ms
            OpenStack:
              Auth-URL: https://keystone:5000/v3
              Username: admin
              Region: RegionOne
              TLS-Insecure: "true"
            Kubernetes:
              Api-Host: https://10.0.0.1:6443
            """);

    assertEquals("c1", config.clusterName());
    assertTrue(config.dryRun());
    assertEquals(Duration.ofSeconds(90), config.monitorInterval());
    assertEquals(
        Duration.ofMillis(500),
        config.healthCheck().worker().get(0).params().duration("unhealthy-duration", null));
    assertEquals("https://keystone:5000/v3", config.openstack().authUrl());
    assertEquals("admin", config.openstack().username());
    assertEquals("RegionOne", config.openstack().region());
    assertTrue(config.openstack().tlsInsecure());
    assertEquals("https://10.0.0.1:6443", config.kubernetes().apiHost());
  }

  @Test
  void everyOpenStackKeyIsRead() {
    AutoHealerConfig config =
        load(
            """
            cluster-name: c1
            openstack:
              auth-url: a
              user-id: b
              username: c
              password: d
              project-id: e
              project-name: f
              trust-id: g
              trustee-id: h
              trustee-password: i
              domain-id: j
              domain-name: k
              project-domain-id: l
              project-domain-name: m
              user-domain-id: n
              user-domain-name: o
              region: p
              os-endpoint-type: internal
              ca-file: /etc/kubernetes/ca-bundle.crt
              cafilecontents: PEM
              tls-insecure: true
              token: q
              cert-file: r
              key-file: s
              use-clouds: true
              clouds-file: t
              cloud: u
              application-credential-id: v
              application-credential-name: w
              application-credential-secret: x
            """);

    OpenStackSettings os = config.openstack();
    assertEquals(
        new OpenStackSettings(
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "internal",
            "/etc/kubernetes/ca-bundle.crt", "PEM", true, "q", "r", "s", true, "t", "u", "v", "w", "x"),
        os);
    assertTrue(warnings.isEmpty(), warnings.toString());
    assertFalse(os.toString().contains("=d,"), os.toString());
    assertFalse(os.toString().contains("=x]"), os.toString());
  }

  @Test
  void passwordFromFileOrEnvironment(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("password");
    Files.writeString(secret, "s3cret\n");

    AutoHealerConfig fromFile =
        load("cluster-name: c1\nopenstack:\n  password-file: " + secret + "\n");
    assertEquals("s3cret", fromFile.openstack().password());

    AutoHealerConfig fromEnv = loader(Map.of("OS_PASSWORD", "envpass")).read("cluster-name: c1", "t");
    assertEquals("envpass", fromEnv.openstack().password());

    AutoHealerConfig inlineWins =
        loader(Map.of("OS_PASSWORD", "envpass")).read("cluster-name: c1\nopenstack: {password: p}", "t");
    assertEquals("p", inlineWins.openstack().password());
  }

  @Test
  void applicationCredentialSecretFromFileOrEnvironment(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("ac-secret");
    Files.writeString(secret, "ac-s3cret\n");

    AutoHealerConfig fromFile = load("cluster-name: c1\nopenstack:\n  application-credential-id: ac\n"
        + "  application-credential-secret-file: " + secret + "\n");
    assertEquals("ac-s3cret", fromFile.openstack().applicationCredentialSecret());

    AutoHealerConfig fromEnv = loader(Map.of("OS_APPLICATION_CREDENTIAL_SECRET", "env-ac"))
        .read("cluster-name: c1\nopenstack: {application-credential-id: ac}", "t");
    assertEquals("env-ac", fromEnv.openstack().applicationCredentialSecret());
    assertEquals(null, fromEnv.openstack().password());
  }

  @Test
  void temporalFromFileAndEnvironment() {
    String yaml = "cluster-name: c1\ntemporal:\n  address: temporal:7233\n  namespace: healing\n";
    assertEquals(new TemporalSettings("temporal:7233", "healing"), load(yaml).temporal());

    AutoHealerConfig overridden =
        loader(Map.of("TEMPORAL_ADDRESS", "10.1.1.1:7233", "TEMPORAL_NAMESPACE", "prod")).read(yaml, "t");
    assertEquals(new TemporalSettings("10.1.1.1:7233", "prod"), overridden.temporal());
  }

  @Test
  void repairSectionSetsThePolicy() {
    AutoHealerConfig config = load("cluster-name: c1\nrebuild-delay-after-reboot: 7m\n"
        + "repair:\n  poll-interval: 1s\n  rejoin-timeout: 2m\n  drain: false\n  require-approval: true\n");

    RepairPolicy d = RepairPolicy.defaults();
    assertEquals(
        new RepairPolicy(Duration.ofSeconds(1), d.gateRecheckInterval(), true, d.cordonMasters(), false,
            d.drainTimeout(), d.reboot(), Duration.ofMinutes(7), d.rebootCooldown(), d.shutOffTimeout(),
            d.csiDetachTimeout(), d.clusterUpdateTimeout(), Duration.ofMinutes(2)),
        config.repair());
    assertEquals(Duration.ofMinutes(7), load("cluster-name: c1\nrebuild-delay-after-reboot: 7m\n")
        .repair().rebuildDelayAfterReboot());
  }

  @Test
  void unknownKeysWarnButDoNotFail() {
    AutoHealerConfig config =
        load("cluster-name: c1\nmax-batch-size: 3\nopenstack:\n  colour: blue\nhealthcheck:\n  worker: []\n  other: 1\n");

    assertEquals("c1", config.clusterName());
    assertEquals(
        List.of(
            "unknown config key healthcheck.other is ignored",
            "unknown config key openstack.colour is ignored",
            "unknown config key max-batch-size is ignored"),
        warnings);
  }

  @Test
  void extraHealthCheckTypesCanBeAccepted() {
    AutoHealerConfig config =
        ConfigLoader.builder()
            .healthCheckTypes(List.of("Endpoint", "NodeCondition", "DiskPressure"))
            .build()
            .read("cluster-name: c1\nhealthcheck:\n  worker:\n    - type: diskpressure\n", "t");

    assertEquals("DiskPressure", config.healthCheck().worker().get(0).type());
  }

  @Test
  void yesAndNoAreStringsAsInGo() {
    AutoHealerConfig config = load("cluster-name: no\nopenstack:\n  region: on\n");
    assertEquals("no", config.clusterName());
    assertEquals("on", config.openstack().region());
  }

  @Test
  void emptyValuesCountAsAbsent() {
    AutoHealerConfig config = load("cluster-name: c1\ndry-run:\nmonitor-interval:\nopenstack:\n");
    assertFalse(config.dryRun());
    assertEquals(Duration.ofSeconds(60), config.monitorInterval());
  }

  @Test
  void goDurations() {
    assertEquals(Duration.ofSeconds(15), GoDuration.parse("15s").orElseThrow());
    assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s").orElseThrow());
    assertEquals(Duration.ofMinutes(20), GoDuration.parse("20m").orElseThrow());
    assertEquals(Duration.ofHours(1), GoDuration.parse("1h").orElseThrow());
    assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms").orElseThrow());
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h").orElseThrow());
    assertEquals(Duration.ofNanos(1500), GoDuration.parse("1us500ns").orElseThrow());
    assertEquals(Duration.ZERO, GoDuration.parse("0").orElseThrow());
    assertEquals(Duration.ofSeconds(-5), GoDuration.parse("-5s").orElseThrow());
    for (String bad : List.of("", "15", "s", "1x", "1..5s", "abc", "1s ", "-", ".s")) {
      assertTrue(GoDuration.parse(bad).isEmpty(), bad);
    }
    assertEquals("1h5m", GoDuration.format(Duration.ofMinutes(65)));
    assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
    assertEquals("0s", GoDuration.format(Duration.ZERO));
  }
}
