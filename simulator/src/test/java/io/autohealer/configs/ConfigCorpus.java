package io.autohealer.configs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The config module's test configs, read from the repository: the corpus of invalid configs
 * ({@code config/src/test/resources/invalid-configs}, format in the config module's {@code
 * InvalidConfigCorpus}) and the valid samples next to it.
 */
final class ConfigCorpus {
  private ConfigCorpus() {}

  /** One invalid config: what must be in its error and which processes reject it. */
  record Entry(Path file, String expect, String rejectedBy) {
    boolean detector() {
      return !rejectedBy.equals("worker");
    }

    boolean worker() {
      return !rejectedBy.equals("detector");
    }

    @Override
    public String toString() {
      return file.getFileName().toString();
    }
  }

  static Path resources() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path resources = d.resolve("config/src/test/resources");
      if (Files.isDirectory(resources.resolve("invalid-configs"))) {
        return resources;
      }
    }
    throw new IllegalStateException("no config/src/test/resources/invalid-configs above " + Path.of("").toAbsolutePath());
  }

  static List<Entry> invalidConfigs() {
    try (Stream<Path> files = Files.list(resources().resolve("invalid-configs"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(ConfigCorpus::entry).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Entry entry(Path file) {
    String expect = null;
    String rejectedBy = "loader";
    for (String line : read(file).lines().takeWhile(l -> l.startsWith("#")).toList()) {
      String comment = line.substring(1).strip();
      if (comment.startsWith("expect:")) {
        expect = comment.substring("expect:".length()).strip();
      } else if (comment.startsWith("rejected-by:")) {
        rejectedBy = comment.substring("rejected-by:".length()).strip();
      }
    }
    if (expect == null) {
      throw new IllegalStateException(file + ": no \"# expect: ...\" line");
    }
    return new Entry(file, expect, rejectedBy);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
