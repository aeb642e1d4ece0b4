package io.autohealer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts the requests one user made to a real kube-apiserver, by verb and resource, from the
 * apiserver's own audit log: the server's view, not the client's. The policy logs only that user, at
 * Metadata level (no bodies), from the stage ResponseStarted on; a watch logs twice (when it starts
 * and when it ends) and is counted once, by its audit id.
 */
final class AuditCounter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path log;
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Long> pending = new TreeMap<>();
  private long offset;

  private AuditCounter(Path log) {
    this.log = log;
  }

  /**
   * Writes the audit policy for {@code user} into {@code dir} and answers the kube-apiserver flags
   * that turn it on, with the log in {@code dir/audit.log}.
   */
  static List<String> apiServerFlags(Path dir, String user) {
    Path policy = dir.resolve("audit-policy.yaml");
    try {
      Files.createDirectories(dir);
      Files.writeString(policy, """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: ["RequestReceived"]
          rules:
            - level: Metadata
              users: ["%s"]
            - level: None
          """.formatted(user));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + policy, e);
    }
    return List.of("--audit-policy-file=" + policy, "--audit-log-path=" + logFile(dir),
        "--audit-log-format=json", "--audit-log-mode=blocking");
  }

  static Path logFile(Path dir) {
    return dir.resolve("audit.log");
  }

  /** Reads the log that {@link #apiServerFlags} turned on, from its current end. */
  static AuditCounter following(Path dir) {
    AuditCounter counter = new AuditCounter(logFile(dir));
    counter.take();
    return counter;
  }

  /**
   * The requests logged since the last call, as {@code "<verb> <resource>"} (for example {@code
   * "list nodes"}, {@code "watch configmaps"}) to how many; then starts again from zero.
   */
  synchronized Map<String, Long> take() {
    readNewLines();
    Map<String, Long> taken = new TreeMap<>(pending);
    pending.clear();
    return taken;
  }

  private void readNewLines() {
    if (!Files.exists(log)) {
      return;
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      if (file.length() < offset) {
        offset = 0; // rotated
      }
      file.seek(offset);
      byte[] rest = new byte[(int) (file.length() - offset)];
      file.readFully(rest);
      int end = lastNewline(rest);
      if (end < 0) {
        return; // a line still being written
      }
      offset += end + 1;
      for (String line : new String(rest, 0, end, StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          count(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log " + log, e);
    }
  }

  private void count(JsonNode event) {
    if (!seen.add(event.path("auditID").asText())) {
      return;
    }
    String resource = event.path("objectRef").path("resource").asText("");
    String subresource = event.path("objectRef").path("subresource").asText("");
    String what = resource.isEmpty() ? event.path("requestURI").asText() : resource;
    if (!subresource.isEmpty()) {
      what += "/" + subresource;
    }
    pending.merge(event.path("verb").asText() + " " + what, 1L, Long::sum);
  }

  private static int lastNewline(byte[] bytes) {
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
