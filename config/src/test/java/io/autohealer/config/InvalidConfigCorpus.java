package io.autohealer.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The invalid configs of {@code src/test/resources/invalid-configs}: one YAML file each, opening with
 * comment lines that say what is wrong ({@code # ...}), the fragment the error must contain ({@code #
 * expect: ...}) and, when it is not the loader, who rejects it ({@code # rejected-by: detector} for
 * health-check params, {@code worker} for OpenStack credentials, {@code mains} for files the
 * processes open at start-up).
 */
public record InvalidConfigCorpus(Path file, String what, String expect, RejectedBy rejectedBy) {

  /** Where an entry is found invalid. */
  public enum RejectedBy {
    /** {@link ConfigLoader}: both processes. */
    LOADER,
    /** The detector's health-check factories; the worker does not read health checks. */
    DETECTOR,
    /** The worker's OpenStack credentials; the detector holds none. */
    WORKER,
    /** Both processes, after the loader (a kubeconfig or a TLS file that cannot be used). */
    MAINS;

    public boolean detector() {
      return this != WORKER;
    }

    public boolean worker() {
      return this != DETECTOR;
    }
  }

  public String name() {
    return file.getFileName().toString();
  }

  @Override
  public String toString() {
    return name();
  }

  /** Every entry of the corpus directory, sorted by name. */
  public static List<InvalidConfigCorpus> read(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(InvalidConfigCorpus::entry).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InvalidConfigCorpus entry(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String what = null;
    String expect = null;
    RejectedBy rejectedBy = RejectedBy.LOADER;
    for (String line : lines) {
      if (!line.startsWith("#")) {
        break;
      }
      String comment = line.substring(1).strip();
      if (comment.startsWith("expect:")) {
        expect = comment.substring("expect:".length()).strip();
      } else if (comment.startsWith("rejected-by:")) {
        rejectedBy = RejectedBy.valueOf(comment.substring("rejected-by:".length()).strip().toUpperCase());
      } else if (what == null) {
        what = comment;
      }
    }
    if (what == null || expect == null || expect.isEmpty()) {
      throw new IllegalStateException(file + ": needs a first comment line saying what is wrong and \"# expect: ...\"");
    }
    return new InvalidConfigCorpus(file, what, expect, rejectedBy);
  }
}
