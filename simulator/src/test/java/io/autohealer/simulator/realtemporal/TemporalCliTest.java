package io.autohealer.simulator.realtemporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.IndexedValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the CLI and the pinned version; no server needed. */
class TemporalCliTest {

  @Test
  void readsThePinnedVersionFromTheVersionsFile() {
    String version = TemporalCli.pinnedVersion();
    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"), version);
    Path root = TemporalCli.projectRoot().orElseThrow();
    assertEquals(root.resolve(".tools/temporal/" + version + "/temporal"), TemporalCli.installedPath());
  }

  @Test
  void parsesKeyValueLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("versions.env");
    Files.writeString(file, "# comment\n\nA=1\nexport B=\"two\"\n C = 'three' \nnot a pair\n");
    assertEquals(Map.of("A", "1", "B", "two", "C", "three"), TemporalCli.readVersionsFile(file));
  }

  @Test
  void aMissingOverrideIsReportedWithWhatToDo() {
    String before = System.getProperty(TemporalCli.PROPERTY);
    System.setProperty(TemporalCli.PROPERTY, "/nonexistent/temporal");
    try {
      assertTrue(TemporalCli.find().isEmpty());
      TemporalCliMissingException e =
          assertThrows(TemporalCliMissingException.class, TemporalCli::require);
      assertTrue(e.getMessage().contains("/nonexistent/temporal"), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(TemporalCli.PROPERTY);
      } else {
        System.setProperty(TemporalCli.PROPERTY, before);
      }
    }
  }

  @Test
  void theInstallCommandIsNamedWhenTheCliIsNotInstalled() {
    String message = TemporalCli.missingMessage();
    assertTrue(message.contains(TemporalCli.INSTALL_COMMAND) || System.getenv(TemporalCli.ENV) != null,
        message);
  }

  @Test
  void encodesUrlPathSegmentsAndSearchAttributeTypes() {
    assertEquals("repair-c1-w1", TemporalDevServer.pathSegment("repair-c1-w1"));
    assertEquals("a%20b%2Fc%C3%BC", TemporalDevServer.pathSegment("a b/cü"));
    assertEquals("Keyword", TemporalDevServer.cliType(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    assertEquals("KeywordList",
        TemporalDevServer.cliType(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST));
  }
}
