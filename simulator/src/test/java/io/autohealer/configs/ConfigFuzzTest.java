package io.autohealer.configs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.autohealer.config.AutoHealerConfig;
import io.autohealer.config.ConfigException;
import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.DetectorMain;
import io.autohealer.detector.HealthCheckRegistry;
import io.autohealer.worker.openstack.CredentialsFromConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of valid configs (the seed's sample and Magnum's own, with their
 * placeholders filled in, and one with every additive section): a key dropped, a scalar of another
 * type, a corrupted duration, two values swapped, garbage characters inserted, a line repeated, the
 * text truncated. Each must either load or fail with a one-line {@link ConfigException} that names
 * a key (or the file, for YAML syntax), through what the detector and the worker do with a config
 * before they connect anywhere: the loader, the health-check factories, the OpenStack credentials.
 * Never another exception. {@code -Dconfig.fuzz.seed=N} replays a run, {@code
 * -Dconfig.fuzz.mutations=N} sets its size.
 */
class ConfigFuzzTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String SOURCE = "config.yaml";
  /** The keys the loader reads at the top level; every error must name one of them (or the file). */
  private static final Set<String> TOP_LEVEL_KEYS = Set.of("cluster-name", "dry-run", "cloud-provider",
      "monitor-interval", "master-monitor-enabled", "worker-monitor-enabled", "leader-elect",
      "check-delay-after-add", "rebuild-delay-after-reboot", "healthcheck", "kubernetes", "openstack", "temporal",
      "repair", "max-unhealthy", "max-concurrent-repairs", "max-concurrent-master-repairs", "repair-cooldown",
      "repair-budget", "repair-budget-window", "control-namespace", "leader-election", "metrics-port");
  private static final Pattern KEY_PATH = Pattern.compile("^([a-z][a-z0-9-]*)(\\[\\d+\\])?(\\.[a-z0-9*-]+(\\[\\d+\\])?)*[ :]");
  private static final Pattern DURATION = Pattern.compile("-?\\d+(\\.\\d+)?(ns|us|ms|s|m|h)");
  private static final String GARBAGE = ":-[]{}\"'#&*!%@`|>,?\t\n\\ \u00b5\u00e9\u2028x0";

  private final HealthCheckRegistry registry = HealthCheckRegistry.load();
  private final ConfigLoader loader =
      ConfigLoader.builder().healthCheckTypes(registry.types()).environment(k -> null).warnings(w -> {}).build();

  private record Outcome(boolean loaded, String error) {}

  /** What the detector and the worker do with a config before they connect anywhere. */
  private Outcome configStage(String yaml) {
    try {
      AutoHealerConfig config = loader.read(yaml, SOURCE);
      registry.build(config.healthCheck()).master().forEach(c -> c.close());
      CredentialsFromConfig.from(config.openstack());
      return new Outcome(true, null);
    } catch (ConfigException e) {
      return new Outcome(false, e.getMessage());
    }
  }

  static List<String> validConfigs() {
    Path resources = ConfigCorpus.resources();
    return List.of(
        fillPlaceholders(ConfigCorpus.read(resources.resolve("seed-config.yaml"))),
        fillPlaceholders(ConfigCorpus.read(resources.resolve("magnum-deployment-config.yaml"))),
        """
        cluster-name: k8s-prod
        dry-run: false
        monitor-interval: 30s
        check-delay-after-add: 20m
        leader-elect: true
        rebuild-delay-after-reboot: 5m
        max-unhealthy: 40%
        max-concurrent-repairs: 2
        max-concurrent-master-repairs: 1
        repair-cooldown: 10m
        repair-budget: 5
        repair-budget-window: 1h
        control-namespace: kube-system
        metrics-port: 9464
        healthcheck:
          master:
            - type: Endpoint
              params: {unhealthy-duration: 3m, protocol: HTTPS, port: 6443, endpoints: ["/healthz", "livez"],
                       ok-codes: [200, 204], timeout: 5s, concurrency: 8, require-token: false}
          worker:
            - type: NodeCondition
              params: {unhealthy-duration: 3m, types: [Ready, DiskPressure], error-values: ["False", Unknown]}
        kubernetes:
          api-host: https://10.0.0.5:6443
        openstack:
          auth-url: https://keystone.example.com:5000/v3
          username: healer
          user-domain-name: Default
          project-name: k8s
          project-domain-id: default
          password: pw
          region: RegionOne
          os-endpoint-type: internal
        temporal:
          address: temporal-frontend.temporal:7233
          namespace: autohealer
        leader-election:
          namespace: kube-system
          name: magnum-auto-healer
          lease-duration: 15s
          renew-deadline: 10s
          retry-period: 2s
        repair:
          poll-interval: 10s
          gate-recheck-interval: 1m
          require-approval: false
          cordon-masters: false
          drain: true
          drain-timeout: 10m
          reboot: true
          reboot-cooldown: 1h
          shut-off-timeout: 3m
          csi-detach-timeout: 5m
          cluster-update-timeout: 60m
          rejoin-timeout: 30m
        """);
  }

  /** As Magnum's enable-auto-healing.sh does before the healer reads the file. */
  private static String fillPlaceholders(String yaml) {
    Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(yaml);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1).toLowerCase();
      m.appendReplacement(out, name.contains("url") ? "https://keystone.example.com:5000/v3" : name.replace('_', '-'));
    }
    return m.appendTail(out).toString();
  }

  @Test
  void everyMutationLoadsOrNamesAKey() throws Exception {
    long seed = Long.getLong("config.fuzz.seed", System.nanoTime());
    int mutations = Integer.getInteger("config.fuzz.mutations", 3000);
    System.out.println("ConfigFuzzTest seed " + seed + " (replay: -Dconfig.fuzz.seed=" + seed + ")");
    List<String> valid = validConfigs();
    for (String config : valid) {
      Outcome outcome = configStage(config);
      assertTrue(outcome.loaded(), "a valid base config is rejected: " + outcome.error() + "\n" + config);
    }

    Random random = new Random(seed);
    Map<String, Integer> byKind = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    int loaded = 0;
    String firstRejected = null;
    long start = System.nanoTime();
    for (int i = 0; i < mutations && failures.size() < 5; i++) {
      String base = valid.get(random.nextInt(valid.size()));
      Mutation mutation = mutate(base, random);
      byKind.merge(mutation.kind(), 1, Integer::sum);
      String problem;
      try {
        Outcome outcome = configStage(mutation.yaml());
        if (outcome.loaded()) {
          loaded++;
          continue;
        }
        firstRejected = firstRejected == null ? outcome.error() : firstRejected;
        problem = namesAKey(outcome.error()) ? null : "error names no key: " + outcome.error();
      } catch (RuntimeException | Error e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        problem = "not a ConfigException: " + trace;
      }
      if (problem != null) {
        failures.add("mutation " + i + " (" + mutation.kind() + ", seed " + seed + "): " + problem
            + "\n--- config ---\n" + mutation.yaml());
      }
    }
    long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
    System.out.printf("ConfigFuzzTest: %d mutations in %d ms (%d per second): %d loaded, %d rejected naming a key; %s;"
        + " e.g. \"%s\"%n", mutations, millis, mutations * 1000L / millis, loaded, mutations - loaded - failures.size(),
        byKind, firstRejected);
    assertEquals(List.of(), failures, "seed " + seed);
  }

  /** Rejected mutations through the detector's real main in this JVM: exit 2, one line. */
  @Test
  void rejectedMutationsMakeTheDetectorExitTwo(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("config.fuzz.seed", System.nanoTime());
    System.out.println("ConfigFuzzTest (main) seed " + seed);
    Random random = new Random(seed);
    List<String> valid = validConfigs();
    int checked = 0;
    for (int i = 0; checked < 20 && i < 2000; i++) {
      Mutation mutation = mutate(valid.get(random.nextInt(valid.size())), random);
      Outcome outcome = configStage(mutation.yaml());
      if (outcome.loaded() || outcome.error().startsWith("openstack.") || outcome.error().startsWith("a scope")) {
        continue; // a valid config would start a detector; the credentials are the worker's
      }
      Path file = Files.writeString(dir.resolve("config-" + i + ".yaml"), mutation.yaml());
      StringWriter err = new StringWriter();
      int code = DetectorMain.run(new PrintWriter(err, true), "--config", file.toString());
      String context = "seed " + seed + ", mutation " + i + " (" + mutation.kind() + "):\n" + mutation.yaml();
      assertEquals(2, code, context + "\nstderr: " + err);
      assertEquals(1, err.toString().lines().count(), context + "\nstderr: " + err);
      assertTrue(err.toString().contains(SOURCE.equals(outcome.error().split(":")[0])
          ? "invalid YAML" : outcome.error().split(":")[0]), context + "\nstderr: " + err);
      checked++;
    }
    assertTrue(checked >= 10, "rejected mutations run through the detector's main: " + checked);
  }

  private static boolean namesAKey(String message) {
    if (message.contains("\n")) {
      return false;
    }
    if (message.startsWith(SOURCE + ": ") || message.startsWith("a scope is required: openstack.")) {
      return true;
    }
    Matcher key = KEY_PATH.matcher(message);
    return key.find() && TOP_LEVEL_KEYS.contains(key.group(1));
  }

  private record Mutation(String kind, String yaml) {}

  private static Mutation mutate(String yaml, Random random) throws Exception {
    int kind = random.nextInt(9);
    if (kind >= 5) {
      return textMutation(kind, yaml, random);
    }
    ObjectNode tree = (ObjectNode) YAML.readTree(yaml);
    List<Slot> slots = new ArrayList<>();
    collect(tree, slots);
    Slot slot = slots.get(random.nextInt(slots.size()));
    switch (kind) {
      case 0 -> {
        slot.remove();
        return new Mutation("drop a key", YAML.writeValueAsString(tree));
      }
      case 1 -> {
        slot.set(otherType(slot.get(), random));
        return new Mutation("change a type", YAML.writeValueAsString(tree));
      }
      case 2 -> {
        List<Slot> durations = slots.stream()
            .filter(s -> s.get().isTextual() && DURATION.matcher(s.get().textValue()).matches()).toList();
        Slot d = durations.isEmpty() ? slot : durations.get(random.nextInt(durations.size()));
        d.set(JsonNodeFactory.instance.textNode(corruptDuration(d.get().asText(), random)));
        return new Mutation("corrupt a duration", YAML.writeValueAsString(tree));
      }
      case 3 -> {
        Slot other = slots.get(random.nextInt(slots.size()));
        JsonNode a = slot.get().deepCopy();
        JsonNode b = other.get().deepCopy();
        slot.set(b);
        other.set(a);
        return new Mutation("swap two values", YAML.writeValueAsString(tree));
      }
      default -> {
        JsonNode v = slot.get();
        slot.set(v.isNumber() ? JsonNodeFactory.instance.numberNode(pick(random, -1L, 0L, 65536L, (long) Integer.MAX_VALUE, 1L << 40))
            : JsonNodeFactory.instance.textNode(pick(random, "", " ", "-1", "0", "${unset}", "Ready", "true", "https://")));
        return new Mutation("replace a value", YAML.writeValueAsString(tree));
      }
    }
  }

  private static Mutation textMutation(int kind, String yaml, Random random) {
    switch (kind) {
      case 5, 6 -> {
        StringBuilder out = new StringBuilder(yaml);
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
          out.insert(random.nextInt(out.length() + 1), GARBAGE.charAt(random.nextInt(GARBAGE.length())));
        }
        return new Mutation("insert garbage characters", out.toString());
      }
      case 7 -> {
        return new Mutation("truncate", yaml.substring(0, random.nextInt(yaml.length() + 1)));
      }
      default -> {
        List<String> lines = new ArrayList<>(yaml.lines().toList());
        int at = random.nextInt(lines.size());
        lines.add(at, lines.get(random.nextInt(lines.size())));
        return new Mutation("repeat a line", String.join("\n", lines) + "\n");
      }
    }
  }

  private static JsonNode otherType(JsonNode value, Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<Function<JsonNode, JsonNode>> makers = List.of(
        v -> f.numberNode(random.nextInt(100) - 10),
        v -> f.numberNode(2.5),
        v -> f.booleanNode(random.nextBoolean()),
        v -> f.textNode("x" + v.asText()),
        v -> f.arrayNode().add(v.deepCopy()),
        v -> f.objectNode().set("a", v.deepCopy()),
        v -> f.nullNode());
    return makers.get(random.nextInt(makers.size())).apply(value);
  }

  private static String corruptDuration(String d, Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> d.replaceAll("[a-z]+$", "");
      case 1 -> "-" + d;
      case 2 -> d + "x";
      case 3 -> d.replaceAll("[a-z]+$", "d");
      case 4 -> "0s";
      case 5 -> "99999999999h";
      case 6 -> d.replaceAll("(\\d)", "$1 ");
      default -> d.replaceAll("\\d", ".");
    };
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }

  /** A place in the tree that holds a value: a key of a map or an item of a list. */
  private record Slot(JsonNode parent, String key, int index) {
    JsonNode get() {
      return key != null ? parent.get(key) : parent.get(index);
    }

    void set(JsonNode value) {
      if (key != null) {
        ((ObjectNode) parent).set(key, value);
      } else {
        ((ArrayNode) parent).set(index, value);
      }
    }

    void remove() {
      if (key != null) {
        ((ObjectNode) parent).remove(key);
      } else {
        ((ArrayNode) parent).remove(index);
      }
    }
  }

  private static void collect(JsonNode node, List<Slot> slots) {
    if (node.isObject()) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        slots.add(new Slot(node, name, -1));
        collect(node.get(name), slots);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        slots.add(new Slot(node, null, i));
        collect(node.get(i), slots);
      }
    }
  }
}
