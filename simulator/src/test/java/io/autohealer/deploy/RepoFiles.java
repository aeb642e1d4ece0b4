package io.autohealer.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The repository's files, as seen from a module's tests (Maven runs them in the module folder). */
final class RepoFiles {
  private RepoFiles() {}

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("deploy")) && Files.isRegularFile(d.resolve("bin/tools/versions.env"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }

  /** bin/tools/versions.env as a map. */
  static Map<String, String> versions() {
    Map<String, String> versions = new TreeMap<>();
    for (String line : lines(root().resolve("bin/tools/versions.env"))) {
      String l = line.strip();
      int eq = l.indexOf('=');
      if (!l.startsWith("#") && eq > 0) {
        versions.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return versions;
  }

  /** The pinned kustomize installed by bin/tools/install-kustomize, if it is. */
  static Optional<Path> kustomize() {
    Path bin = root().resolve(".tools/kustomize").resolve(versions().get("KUSTOMIZE_VERSION")).resolve("kustomize");
    return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static java.util.List<String> lines(Path file) {
    return read(file).lines().toList();
  }

  static java.util.List<Path> walk(Path dir, String suffix) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(suffix)).sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
