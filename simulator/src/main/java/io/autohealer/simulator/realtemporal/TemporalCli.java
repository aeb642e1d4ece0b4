package io.autohealer.simulator.realtemporal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the Temporal CLI binary of the real-Temporal lane is.
 *
 * <p>In order: the system property {@value #PROPERTY}, the environment variable {@value #ENV}, and
 * the project-local install folder {@code .tools/temporal/<version>/temporal} that {@value
 * #INSTALL_COMMAND} fills, where the version is the one pinned in {@value #VERSIONS_FILE} (the one
 * place it is set). The project root is found by walking up from the working directory to the
 * folder that holds {@value #VERSIONS_FILE}, or given with the system property {@value
 * #ROOT_PROPERTY}.
 */
public final class TemporalCli {
  public static final String PROPERTY = "temporal.cli";
  public static final String ENV = "TEMPORAL_CLI";
  public static final String ROOT_PROPERTY = "autohealer.root";
  public static final String VERSIONS_FILE = "bin/tools/versions.env";
  public static final String VERSION_KEY = "TEMPORAL_CLI_VERSION";
  public static final String INSTALL_COMMAND = "bin/tools/install-temporal-cli";

  private TemporalCli() {}

  /** The project root: the nearest folder at or above the working directory with {@value #VERSIONS_FILE}. */
  public static Optional<Path> projectRoot() {
    String given = System.getProperty(ROOT_PROPERTY);
    if (given != null && !given.isBlank()) {
      return Optional.of(Path.of(given).toAbsolutePath().normalize());
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(VERSIONS_FILE))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** The Temporal CLI version pinned in {@value #VERSIONS_FILE}. */
  public static String pinnedVersion() {
    Path root = projectRoot().orElseThrow(() -> new IllegalStateException(
        "cannot find " + VERSIONS_FILE + " above " + Path.of("").toAbsolutePath()
            + " (set -D" + ROOT_PROPERTY + "=<project root>)"));
    String version = readVersionsFile(root.resolve(VERSIONS_FILE)).get(VERSION_KEY);
    if (version == null || version.isBlank()) {
      throw new IllegalStateException(VERSION_KEY + " is not set in " + root.resolve(VERSIONS_FILE));
    }
    return version;
  }

  /** Where {@value #INSTALL_COMMAND} puts the pinned version. */
  public static Path installedPath() {
    Path root = projectRoot().orElseThrow(() -> new IllegalStateException(
        "cannot find " + VERSIONS_FILE + " above " + Path.of("").toAbsolutePath()));
    return root.resolve(".tools").resolve("temporal").resolve(pinnedVersion()).resolve("temporal");
  }

  /** The binary to use, when there is one that can be executed. */
  public static Optional<Path> find() {
    Optional<Path> override = override();
    if (override.isPresent()) {
      return override.filter(Files::isExecutable);
    }
    try {
      return Optional.of(installedPath()).filter(Files::isExecutable);
    } catch (IllegalStateException noProject) {
      return Optional.empty();
    }
  }

  /** The binary to use.
   *
   * @throws TemporalCliMissingException with what to do, when there is none
   */
  public static Path require() {
    return find().orElseThrow(() -> new TemporalCliMissingException(missingMessage()));
  }

  /** One line: what is missing, and the command that installs it. */
  public static String missingMessage() {
    Optional<Path> override = override();
    if (override.isPresent()) {
      return "Temporal CLI not found: " + override.get() + " (from "
          + (System.getProperty(PROPERTY) != null ? "-D" + PROPERTY : ENV)
          + ") is not an executable file";
    }
    String where;
    try {
      where = "Temporal CLI " + pinnedVersion() + " is not installed at " + installedPath();
    } catch (IllegalStateException noProject) {
      where = "Temporal CLI not found (" + noProject.getMessage() + ")";
    }
    return where + ": install it with " + INSTALL_COMMAND + " (a few seconds, from PyPI), or set "
        + ENV + " to a temporal binary";
  }

  private static Optional<Path> override() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      value = System.getenv(ENV);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
  }

  /** Reads plain {@code KEY=VALUE} lines; {@code #} starts a comment line; quotes are stripped. */
  public static Map<String, String> readVersionsFile(Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    try {
      for (String raw : Files.readAllLines(file)) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("export ")) {
          line = line.substring("export ".length()).strip();
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String value = line.substring(eq + 1).strip();
        if (value.length() >= 2
            && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
          value = value.substring(1, value.length() - 1);
        }
        values.put(line.substring(0, eq).strip(), value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return values;
  }
}
