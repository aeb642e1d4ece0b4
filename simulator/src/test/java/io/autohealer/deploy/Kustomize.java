package io.autohealer.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The kustomizations under deploy/ and their rendering by the real, pinned kustomize
 * (bin/tools/install-kustomize; bin/test installs it). Without it the tests that render are
 * skipped, except under CI=true, where they fail.
 */
final class Kustomize {
  private static final YAMLMapper YAML = new YAMLMapper();

  private Kustomize() {}

  /** The folders under deploy/ that hold a kustomization.yaml, relative to deploy/. */
  static List<String> kustomizations() {
    Path deploy = RepoFiles.root().resolve("deploy");
    return RepoFiles.walk(deploy, "kustomization.yaml").stream()
        .map(f -> deploy.relativize(f.getParent()).toString())
        .toList();
  }

  static JsonNode read(Path kustomizationDir) {
    try {
      return YAML.readTree(kustomizationDir.resolve("kustomization.yaml").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Files a kustomization names (resources that are files, patches, generator inputs), resolved. */
  static List<Path> referencedFiles(Path dir, JsonNode k, String... sections) {
    List<Path> files = new ArrayList<>();
    for (String section : sections) {
      for (JsonNode entry : k.path(section)) {
        switch (section) {
          case "resources" -> files.add(dir.resolve(entry.asText()).normalize());
          case "patches" -> {
            if (entry.has("path")) {
              files.add(dir.resolve(entry.path("path").asText()).normalize());
            }
          }
          default -> { // generators: files: [key=path | path], envs: [path]
            for (JsonNode f : entry.path("files")) {
              String spec = f.asText();
              files.add(dir.resolve(spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec).normalize());
            }
            for (JsonNode f : entry.path("envs")) {
              files.add(dir.resolve(f.asText()).normalize());
            }
          }
        }
      }
    }
    return files;
  }

  /**
   * {@code kustomize build deploy/<kustomization>} on a copy of deploy/ in which every secret
   * file a secretGenerator reads, and which git never holds, is a dummy ("secret-<name>").
   */
  static String build(String kustomization, Path scratch) {
    Path kustomize = RepoFiles.kustomize().orElse(null);
    if (kustomize == null) {
      String hint = "kustomize " + RepoFiles.versions().get("KUSTOMIZE_VERSION")
          + " is not installed: run bin/tools/install-kustomize (bin/test does)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(hint);
      }
      Assumptions.abort(hint);
    }
    Path copy = scratch.resolve("deploy");
    try {
      if (!Files.isDirectory(copy)) {
        copyTree(RepoFiles.root().resolve("deploy"), copy);
        for (String k : kustomizations()) {
          Path dir = copy.resolve(k);
          for (Path secret : referencedFiles(dir, read(dir), "secretGenerator")) {
            if (!Files.exists(secret)) {
              Files.writeString(secret, "secret-" + secret.getFileName());
            }
          }
        }
      }
      Process process = new ProcessBuilder(kustomize.toString(), "build", copy.resolve(kustomization).toString())
          .redirectError(ProcessBuilder.Redirect.PIPE).start();
      byte[] out = process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("kustomize build deploy/" + kustomization + " failed: " + err);
      }
      return new String(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static List<HasMetadata> render(String kustomization, Path scratch) {
    return StrictManifests.parse(build(kustomization, scratch), "kustomize build deploy/" + kustomization);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        // A developer's real secrets stay where they are; the copy gets dummies.
        if (source.getParent() != null && source.getParent().getFileName().toString().equals("secrets")
            && !source.getFileName().toString().equals(".gitignore")) {
          continue;
        }
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
