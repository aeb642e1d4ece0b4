package io.autohealer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.autohealer.simulator.realtemporal.RealTemporal;
import io.autohealer.simulator.realtemporal.TemporalDevServer;
import io.autohealer.workflows.RepairSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and compose/: every search attribute the workflows set is registered with
 * its type, every image is pinned, the file is valid for a real Compose implementation, and the
 * namespace script works against a real Temporal server.
 */
class ComposeFilesTest {
  private static final Path ROOT = RepoFiles.root();
  private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
  private static final Path CREATE_NAMESPACE = ROOT.resolve("compose/scripts/create-namespace.sh");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+):-([^}]+)}");

  @Test
  void everySearchAttributeTheCodeUsesIsRegisteredWithItsType() {
    Map<String, String> expected = new TreeMap<>();
    for (SearchAttributeKey<?> key : RepairSearchAttributes.ALL) {
      expected.put(key.getName(), typeName(key.getValueType()));
    }
    assertEquals(expected, registered(), "compose/scripts/create-namespace.sh SEARCH_ATTRIBUTES vs RepairSearchAttributes.ALL");
  }

  @Test
  void theNamespaceJobRunsTheScriptAndTheHealerWaitsForIt() throws Exception {
    JsonNode services = compose().path("services");
    JsonNode job = services.path("temporal-create-namespace");
    assertEquals("/scripts/create-namespace.sh", job.path("command").path(0).asText());
    assertTrue(job.path("volumes").toString().contains("./compose/scripts:/scripts"), job.toString());
    for (String healer : List.of("worker", "detector")) {
      assertEquals("service_completed_successfully",
          services.path(healer).path("depends_on").path("temporal-create-namespace").path("condition").asText(), healer);
    }
    assertEquals("127.0.0.1:8080:8080", services.path("temporal-ui").path("ports").path(0).asText(), "Web UI on 8080");
  }

  @Test
  void everyImageIsPinned() throws Exception {
    Map<String, String> images = new LinkedHashMap<>();
    compose().path("services").fields().forEachRemaining(s -> images.put(s.getKey(), s.getValue().path("image").asText()));
    for (Map.Entry<String, String> image : images.entrySet()) {
      Matcher variable = VARIABLE.matcher(image.getValue());
      String resolved = variable.replaceAll(m -> m.group(2));
      assertTrue(resolved.matches("[a-z0-9./-]+:[A-Za-z0-9._-]+"), image + ": no tag");
      String tag = resolved.substring(resolved.lastIndexOf(':') + 1);
      assertFalse(tag.equals("latest") || tag.matches("\\d+"), image + ": pin a full version, not " + tag);
    }
    assertEquals(8, images.size(), images.toString());
  }

  /** Debian's docker-compose parses and validates the file (bin/tools/install-docker-compose). */
  @Test
  void aRealComposeImplementationAcceptsIt() throws Exception {
    String compose = which("docker-compose");
    if (compose == null) {
      String hint = "docker-compose is not installed: run bin/tools/install-docker-compose (bin/test does)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(hint);
      }
      Assumptions.abort(hint);
    }
    Process process = new ProcessBuilder(compose, "-f", COMPOSE.toString(), "config", "-q")
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), "docker-compose config -q: " + output);
  }

  /** The script against the Temporal CLI's dev server: namespace created, attributes registered, twice. */
  @Test
  @RealTemporal
  void theNamespaceScriptRegistersEverySearchAttributeOnARealServer(TemporalDevServer server) throws Exception {
    String namespace = "compose-check";
    for (int run = 1; run <= 2; run++) {
      ProcessBuilder builder = new ProcessBuilder("sh", CREATE_NAMESPACE.toString()).redirectErrorStream(true);
      builder.environment().put("TEMPORAL_ADDRESS", server.target());
      builder.environment().put("DEFAULT_NAMESPACE", namespace);
      builder.environment().put("PATH", server.cli().getParent() + File.pathSeparator + System.getenv("PATH"));
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes());
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
      assertEquals(0, process.exitValue(), "run " + run + ": " + output);
    }
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(server.target()).validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> custom = operator.blockingStub().listSearchAttributes(
          ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build()).getCustomAttributesMap();
      for (SearchAttributeKey<?> key : RepairSearchAttributes.ALL) {
        assertEquals(key.getValueType(), custom.get(key.getName()), key.getName() + " in " + custom);
      }
    } finally {
      operator.shutdownNow();
    }
  }

  private static Map<String, String> registered() {
    String script = RepoFiles.read(CREATE_NAMESPACE);
    Matcher block = Pattern.compile("SEARCH_ATTRIBUTES=\"([^\"]*)\"").matcher(script);
    assertTrue(block.find(), "no SEARCH_ATTRIBUTES in " + CREATE_NAMESPACE);
    Map<String, String> registered = new TreeMap<>();
    for (String line : block.group(1).strip().split("\\s+")) {
      String[] nameType = line.split(":");
      assertEquals(null, registered.put(nameType[0], nameType[1]), "twice: " + nameType[0]);
    }
    return registered;
  }

  /** The CLI's --type spelling of an indexed value type. */
  private static String typeName(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new AssertionError("unknown type " + type);
    };
  }

  private static JsonNode compose() throws Exception {
    return new YAMLMapper().readTree(COMPOSE.toFile());
  }

  private static String which(String command) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      File file = new File(dir, command);
      if (file.canExecute()) {
        return file.getPath();
      }
    }
    return null;
  }
}
