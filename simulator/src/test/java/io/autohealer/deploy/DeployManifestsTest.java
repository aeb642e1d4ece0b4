package io.autohealer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.HealthCheckRegistry;
import io.autohealer.worker.openstack.CredentialsFromConfig;
import io.autohealer.workflows.RepairIds;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under deploy/: parsed strictly into fabric8's model, every kustomization rendered by
 * the real kustomize, the rendered objects held to the deployment rules, and the config.yaml of
 * each ConfigMap loaded by the real ConfigLoader inside the file layout the Deployment mounts.
 * (RBAC against the code's real calls: RbacCoverageTest.)
 */
class DeployManifestsTest {
  private static final Path DEPLOY = RepoFiles.root().resolve("deploy");
  private static final Set<String> COMPONENTS = Set.of("worker", "detector");

  @TempDir Path scratch;

  static Stream<String> kustomizations() {
    return Kustomize.kustomizations().stream();
  }

  @Test
  void theBaseAndEveryOverlayArePresent() {
    assertEquals(Set.of("base", "overlays/multi-cluster/cluster-a", "overlays/multi-cluster/cluster-b",
        "overlays/temporal-cloud", "overlays/temporal-cloud-api-key"), Set.copyOf(Kustomize.kustomizations()));
  }

  /** Each YAML file is a kustomization, a resource or patch it names (parsed strictly), or a config input. */
  @Test
  void everyYamlFileUnderDeployIsUsedAndParsesStrictly() {
    Set<Path> manifests = new HashSet<>();
    Set<Path> inputs = new HashSet<>();
    for (String k : Kustomize.kustomizations()) {
      Path dir = DEPLOY.resolve(k);
      var kustomization = Kustomize.read(dir);
      Kustomize.referencedFiles(dir, kustomization, "resources", "patches").stream()
          .filter(Files::isRegularFile).forEach(manifests::add);
      inputs.addAll(Kustomize.referencedFiles(dir, kustomization, "configMapGenerator", "secretGenerator"));
    }
    List<String> orphans = new ArrayList<>();
    for (Path file : RepoFiles.walk(DEPLOY, ".yaml")) {
      if (file.getFileName().toString().equals("kustomization.yaml") || inputs.contains(file)) {
        continue;
      }
      if (!manifests.contains(file)) {
        orphans.add(DEPLOY.relativize(file).toString());
        continue;
      }
      List<HasMetadata> parsed = StrictManifests.parse(RepoFiles.read(file), DEPLOY.relativize(file).toString());
      assertFalse(parsed.isEmpty(), file + " holds no object");
    }
    assertEquals(List.of(), orphans, "YAML files under deploy/ that no kustomization uses");
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void rendersIntoObjectsThatFollowTheDeploymentRules(String kustomization) {
    List<HasMetadata> objects = Kustomize.render(kustomization, scratch);

    List<Deployment> deployments = of(objects, Deployment.class);
    assertEquals(COMPONENTS, new TreeSet<>(deployments.stream().map(DeployManifestsTest::component).toList()));
    Set<String> accounts = new HashSet<>(of(objects, ServiceAccount.class).stream().map(a -> a.getMetadata().getName()).toList());
    Set<String> usedAccounts = new HashSet<>();
    for (Deployment deployment : deployments) {
      String name = deployment.getMetadata().getName();
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      assertTrue(deployment.getSpec().getReplicas() >= 2, name + ": 2 replicas, on 2 nodes");
      assertTrue(accounts.contains(pod.getServiceAccountName()), name + ": its own ServiceAccount");
      assertTrue(usedAccounts.add(pod.getServiceAccountName()), name + ": a ServiceAccount of its own");
      assertTrue(pod.getSecurityContext().getRunAsNonRoot(), name + ": runAsNonRoot");
      assertTrue(pod.getSecurityContext().getRunAsUser() > 0, name + ": a non-root uid");
      assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
      var antiAffinity = pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
      assertTrue(antiAffinity.stream().anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname")
              && t.getLabelSelector().getMatchLabels().equals(deployment.getSpec().getSelector().getMatchLabels())),
          name + ": never two replicas on one node");
      Set<String> tolerated = new HashSet<>();
      pod.getTolerations().forEach(t -> tolerated.add(t.getKey()));
      assertTrue(tolerated.containsAll(Set.of("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master")),
          name + ": may run on the control plane");
      assertEquals(1, pod.getContainers().size());
      Container c = pod.getContainers().get(0);
      assertTrue(c.getImage().matches("magnum-autohealer-(worker|detector):[^:]+") && !c.getImage().endsWith(":latest"),
          name + ": a pinned image, got " + c.getImage());
      assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), name + ": read-only root filesystem");
      assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation(), name);
      assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
      assertNotNull(c.getResources().getRequests().get("memory"), name + ": memory request");
      assertNotNull(c.getResources().getRequests().get("cpu"), name + ": cpu request");
      assertNotNull(c.getResources().getLimits().get("memory"), name + ": memory limit");
      assertProbe(c.getStartupProbe(), "/healthz", c);
      assertProbe(c.getLivenessProbe(), "/healthz", c);
      assertProbe(c.getReadinessProbe(), "/readyz", c);
      assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")), name + ": a writable /tmp");

      long budgets = of(objects, PodDisruptionBudget.class).stream()
          .filter(b -> b.getSpec().getSelector().getMatchLabels().equals(deployment.getSpec().getSelector().getMatchLabels()))
          .filter(b -> b.getSpec().getMaxUnavailable() != null || b.getSpec().getMinAvailable() != null)
          .count();
      assertEquals(1, budgets, name + ": one PodDisruptionBudget");
    }
    // Only the worker holds cloud credentials.
    Deployment detector = deployment(objects, "detector");
    assertTrue(detector.getSpec().getTemplate().getSpec().getVolumes().stream()
            .noneMatch(v -> v.getSecret() != null && v.getSecret().getSecretName().startsWith("autohealer-openstack")),
        "the detector holds no OpenStack credentials");
    assertTrue(detector.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null),
        "the detector holds no OpenStack credentials");
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void configInTheConfigMapLoadsWithTheRealLoaderInsideTheMountedLayout(String kustomization) throws IOException {
    List<HasMetadata> objects = Kustomize.render(kustomization, scratch);
    for (String component : COMPONENTS) {
      Path root = Files.createDirectories(scratch.resolve("fs-" + component));
      Container container = mountAll(objects, deployment(objects, component), root);
      Path config = root.resolve(argument(container, "--config").substring(1));
      String text = Files.readString(config).replace("/etc/autohealer/", root + "/etc/autohealer/");
      List<String> warnings = new ArrayList<>();
      Map<String, String> env = environment(objects, container);
      if (component.equals("worker")) {
        AutoHealerConfig cfg = ConfigLoader.builder().environment(env::get).warnings(warnings::add)
            .build().read(text, kustomization + " " + config);
        assertNotNull(CredentialsFromConfig.from(cfg.openstack()));
        assertEquals("secret-openstack-password", cfg.openstack().password(),
            "the password comes from the mounted Secret autohealer-openstack");
        assertTrue(cfg.leaderElect());
        assertTrue(RepairIds.taskQueue(cfg.clusterName()).startsWith("autohealer-"));
      } else {
        HealthCheckRegistry registry = HealthCheckRegistry.load();
        AutoHealerConfig cfg = ConfigLoader.builder().healthCheckTypes(registry.types())
            .environment(env::get).warnings(warnings::add).build().read(text, kustomization);
        assertEquals(null, cfg.openstack().password(), "the detector sees no OpenStack password");
        registry.build(cfg.healthCheck());
        assertFalse(cfg.healthCheck().worker().isEmpty(), "workers are checked");
      }
      assertEquals(List.of(), warnings, kustomization + ": unknown keys in config.yaml");
    }
  }

  @Test
  void theMultiClusterOverlaysShareOneTemporalNamespaceWithATaskQueueEach() throws IOException {
    List<AutoHealerConfig> configs = new ArrayList<>();
    for (String cluster : List.of("cluster-a", "cluster-b")) {
      List<HasMetadata> objects = Kustomize.render("overlays/multi-cluster/" + cluster, scratch);
      Path root = Files.createDirectories(scratch.resolve("fs-" + cluster));
      Container container = mountAll(objects, deployment(objects, "worker"), root);
      String text = Files.readString(root.resolve(argument(container, "--config").substring(1)))
          .replace("/etc/autohealer/", root + "/etc/autohealer/");
      configs.add(ConfigLoader.builder().environment(environment(objects, container)::get).build().read(text, cluster));
    }
    assertEquals(configs.get(0).temporal(), configs.get(1).temporal());
    assertFalse(RepairIds.taskQueue(configs.get(0).clusterName()).equals(RepairIds.taskQueue(configs.get(1).clusterName())));
  }

  @Test
  void theStrictParserRejectsMisplacedFieldsAndUnknownKinds() {
    String misplaced = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              replicas: 2
              containers: [{name: c, image: i, readOnlyRootFilesystem: true}]
        """;
    AssertionError error = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> StrictManifests.parse(misplaced, "t"));
    assertTrue(error.getMessage().contains("spec.template.spec.replicas"), error.getMessage());
    assertTrue(error.getMessage().contains("spec.template.spec.containers[0].readOnlyRootFilesystem"), error.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> StrictManifests.parse("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n", "t"));
  }

  @Test
  void imageTagsAreTheProjectVersion() {
    Matcher version = Pattern.compile("<artifactId>autohealer-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(RepoFiles.read(RepoFiles.root().resolve("pom.xml")));
    assertTrue(version.find());
    var images = Kustomize.read(DEPLOY.resolve("base")).path("images");
    assertEquals(2, images.size());
    images.forEach(i -> assertEquals(version.group(1), i.path("newTag").asText(), i.toString()));
  }

  private static void assertProbe(Probe probe, String path, Container c) {
    assertNotNull(probe, c.getName() + ": probe on " + path);
    assertEquals(path, probe.getHttpGet().getPath(), c.getName());
    String port = probe.getHttpGet().getPort().getStrVal();
    assertTrue(c.getPorts().stream().anyMatch(p -> p.getName().equals(port) && p.getContainerPort() == 9464),
        c.getName() + ": probes on the health port 9464");
  }

  /** Writes what the container would see at each mount into {@code root}; returns the container. */
  private static Container mountAll(List<HasMetadata> objects, Deployment deployment, Path root) throws IOException {
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
          .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
      Map<String, String> files;
      if (volume.getConfigMap() != null) {
        files = named(objects, ConfigMap.class, volume.getConfigMap().getName()).getData();
      } else if (volume.getSecret() != null) {
        Secret secret = named(objects, Secret.class, volume.getSecret().getSecretName());
        files = new java.util.TreeMap<>();
        if (secret.getData() != null) {
          secret.getData().forEach((k, v) -> files.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
          files.putAll(secret.getStringData());
        }
      } else {
        Files.createDirectories(root.resolve(mount.getMountPath().substring(1)));
        continue;
      }
      Path target = root.resolve(mount.getMountPath().substring(1));
      if (mount.getSubPath() != null) {
        assertTrue(files.containsKey(mount.getSubPath()), mount.getName() + " has no key " + mount.getSubPath());
        Files.createDirectories(target.getParent());
        Files.writeString(target, files.get(mount.getSubPath()));
      } else {
        Files.createDirectories(target);
        for (var file : files.entrySet()) {
          Files.writeString(target.resolve(file.getKey()), file.getValue());
        }
      }
    }
    return container;
  }

  /** The container's environment, secretKeyRef and configMapKeyRef resolved from the rendered objects. */
  private static Map<String, String> environment(List<HasMetadata> objects, Container container) {
    Map<String, String> env = new java.util.TreeMap<>();
    for (var e : container.getEnv() == null ? List.<io.fabric8.kubernetes.api.model.EnvVar>of() : container.getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
        Secret secret = named(objects, Secret.class, e.getValueFrom().getSecretKeyRef().getName());
        String encoded = secret.getData().get(e.getValueFrom().getSecretKeyRef().getKey());
        assertNotNull(encoded, e.getName() + ": no key " + e.getValueFrom().getSecretKeyRef().getKey());
        env.put(e.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      } else {
        fail(container.getName() + ": env " + e.getName() + " is neither a value nor a secretKeyRef");
      }
    }
    return env;
  }

  private static String argument(Container container, String flag) {
    List<String> args = container.getArgs();
    int i = args.indexOf(flag);
    if (i < 0 || i + 1 >= args.size()) {
      fail(container.getName() + ": no " + flag + " in " + args);
    }
    return args.get(i + 1);
  }

  private static String component(Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/component");
  }

  static Deployment deployment(List<HasMetadata> objects, String component) {
    return of(objects, Deployment.class).stream().filter(d -> component.equals(component(d))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + component + " Deployment"));
  }

  static <T extends HasMetadata> List<T> of(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return of(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }
}
