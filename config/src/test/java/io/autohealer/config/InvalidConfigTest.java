package io.autohealer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The loader against the corpus of invalid configs ({@link InvalidConfigCorpus}); the processes'
 * entry points are run on the same files by {@code InvalidConfigMainsTest} in the simulator module.
 */
class InvalidConfigTest {
  private static final ConfigLoader LOADER = ConfigLoader.builder().environment(k -> null).warnings(w -> {}).build();

  static List<InvalidConfigCorpus> corpus() throws URISyntaxException {
    return InvalidConfigCorpus.read(Path.of(InvalidConfigTest.class.getResource("/invalid-configs").toURI()));
  }

  @Test
  void corpusHasAtLeastFiftyEntries() throws URISyntaxException {
    assertTrue(corpus().size() >= 50, "entries: " + corpus().size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void loaderRejectsWithOneLineNamingTheKey(InvalidConfigCorpus entry) {
    if (entry.rejectedBy() != InvalidConfigCorpus.RejectedBy.LOADER) {
      // Checked by the detector, the worker, or when a process opens the file: the loader accepts it.
      LOADER.read(entry.file());
      return;
    }
    ConfigException e = assertThrows(ConfigException.class, () -> LOADER.read(entry.file()), entry.what());
    assertTrue(e.getMessage().contains(entry.expect()), entry + ": expected \"" + entry.expect() + "\" in: " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void yamlSyntaxErrorNamesTheFileAndLine() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("cluster-name: c\nopenstack: [\n"));
    assertTrue(e.getMessage().startsWith("config: invalid YAML at line "), e.getMessage());
  }

  @Test
  void environmentOverrideIsValidatedUnderItsName() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.builder()
                    .environment(Map.of("TEMPORAL_ADDRESS", "nope")::get)
                    .build()
                    .read("cluster-name: c", "t"));
    assertEquals("TEMPORAL_ADDRESS: \"nope\" is not host:port (expected e.g. 127.0.0.1:7233)", e.getMessage());
  }

  @Test
  void missingFile() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Path.of("/nonexistent/config.yaml")));
    assertEquals("/nonexistent/config.yaml: no such file", e.getMessage());
  }

  @Test
  void misspeltParamIsReportedAsUnknownOnceTheCheckHasReadItsParams() {
    HealthCheckParams params =
        HealthCheckParams.ofYaml("healthcheck.worker[0].params", "Unhealty-Duration: 30s\ntypes: [Ready]\n");
    params.stringList("types", List.of());
    params.duration("unhealthy-duration", java.time.Duration.ofMinutes(5));

    assertEquals(List.of("healthcheck.worker[0].params.unhealty-duration"), params.unreadKeyPaths());
  }

  @Test
  void invalidParamNamesTheParamPath() {
    HealthCheckParams params = HealthCheckParams.ofYaml("healthcheck.worker[0].params", "Unhealthy-Duration: soon\ntypes: Ready\n");
    ConfigException duration = assertThrows(ConfigException.class, () -> params.duration("unhealthy-duration", null));
    assertEquals(
        "healthcheck.worker[0].params.unhealthy-duration: \"soon\" is not a duration (expected e.g. 30s, 5m)",
        duration.getMessage());
    ConfigException list = assertThrows(ConfigException.class, () -> params.stringList("types", null));
    assertEquals("healthcheck.worker[0].params.types: expected a list, got \"Ready\"", list.getMessage());
  }
}
