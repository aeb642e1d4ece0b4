package io.autohealer.simulator.realkube;

import io.autohealer.simulator.realtemporal.TemporalCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the binaries of the real-Kubernetes lane are: {@code kube-apiserver}, {@code etcd}, {@code
 * kwok} and {@code kwok-stages.yaml}, all in one folder.
 *
 * <p>In order: the system property {@value #PROPERTY}, the environment variable {@value #ENV}, and
 * the project-local folder {@code .tools/kube/<KUBE_VERSION>/} that {@value #INSTALL_COMMAND}
 * fills, where the version is the one pinned in {@code bin/tools/versions.env} (the one place it is
 * set). The project root is found as for the Temporal CLI ({@link TemporalCli#projectRoot()}).
 */
public final class KubeTestbed {
  public static final String PROPERTY = "kube.testbed";
  public static final String ENV = "KUBE_TESTBED_DIR";
  public static final String VERSION_KEY = "KUBE_VERSION";
  public static final String INSTALL_COMMAND = "bin/tools/install-kube-testbed";
  static final String[] FILES = {"kube-apiserver", "etcd", "kwok", "kwok-stages.yaml"};

  private KubeTestbed() {}

  /** The Kubernetes version pinned in {@code bin/tools/versions.env}, e.g. {@code 1.37.2}. */
  public static String pinnedVersion() {
    Path versions = root().resolve(TemporalCli.VERSIONS_FILE);
    String version = TemporalCli.readVersionsFile(versions).get(VERSION_KEY);
    if (version == null || version.isBlank()) {
      throw new IllegalStateException(VERSION_KEY + " is not set in " + versions);
    }
    return version;
  }

  /** Where {@value #INSTALL_COMMAND} puts the pinned build. */
  public static Path installedDir() {
    return root().resolve(".tools").resolve("kube").resolve(pinnedVersion());
  }

  /** The folder with the binaries, when every one of them is there. */
  public static Optional<Path> find() {
    Optional<Path> override = override();
    if (override.isPresent()) {
      return override.filter(KubeTestbed::complete);
    }
    try {
      return Optional.of(installedDir()).filter(KubeTestbed::complete);
    } catch (IllegalStateException noProject) {
      return Optional.empty();
    }
  }

  /**
   * The folder with the binaries.
   *
   * @throws KubeTestbedMissingException with what to do, when it is not built
   */
  public static Path require() {
    return find().orElseThrow(() -> new KubeTestbedMissingException(missingMessage()));
  }

  /** One line: what is missing, and the command that builds it. */
  public static String missingMessage() {
    Optional<Path> override = override();
    String where;
    if (override.isPresent()) {
      where = "real-Kubernetes test bed not found: " + override.get() + " (from "
          + (System.getProperty(PROPERTY) != null ? "-D" + PROPERTY : ENV) + ") lacks one of "
          + String.join(", ", FILES);
    } else {
      try {
        where = "real-Kubernetes test bed (kube-apiserver " + pinnedVersion()
            + ", etcd, kwok) is not built in " + installedDir();
      } catch (IllegalStateException noProject) {
        where = "real-Kubernetes test bed not found (" + noProject.getMessage() + ")";
      }
    }
    return where + ": build it with " + INSTALL_COMMAND
        + " (Go 1.26; several minutes the first time, from the Go module proxy), or set " + ENV;
  }

  private static boolean complete(Path dir) {
    for (String file : FILES) {
      Path p = dir.resolve(file);
      if (file.endsWith(".yaml") ? !Files.isRegularFile(p) : !Files.isExecutable(p)) {
        return false;
      }
    }
    return true;
  }

  private static Path root() {
    return TemporalCli.projectRoot().orElseThrow(() -> new IllegalStateException(
        "cannot find " + TemporalCli.VERSIONS_FILE + " above " + Path.of("").toAbsolutePath()
            + " (set -D" + TemporalCli.ROOT_PROPERTY + "=<project root>)"));
  }

  private static Optional<Path> override() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      value = System.getenv(ENV);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
  }

  static Map<String, String> versions() {
    return TemporalCli.readVersionsFile(root().resolve(TemporalCli.VERSIONS_FILE));
  }
}
