package io.autohealer.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A lane of tests against a real tool installed apart from Maven (the real-Kubernetes test bed, the
 * Temporal CLI, Keystone): without the tool its tests are skipped, with one line on stderr saying
 * what is missing; with {@code CI=true} they never skip, so a missing tool fails them.
 */
public final class RealLane {
  private final String title;
  private final String tag;
  private final BooleanSupplier installed;
  private final Supplier<String> missingMessage;
  private final Function<String, RuntimeException> missing;
  private final BooleanSupplier ci;
  private final PrintStream err;
  private final AtomicBoolean skipReported = new AtomicBoolean();

  /**
   * @param title how messages name the lane, e.g. {@code real-Kubernetes}
   * @param tag the prefix of the skip line, e.g. {@code real-kubernetes}
   * @param installed whether the tool is there
   * @param missingMessage one line: what is missing and how to install it
   * @param missing the exception for a missing tool on CI, from its message
   */
  public RealLane(String title, String tag, BooleanSupplier installed, Supplier<String> missingMessage,
      Function<String, RuntimeException> missing) {
    this(title, tag, installed, missingMessage, missing, RealLane::onCi, System.err);
  }

  RealLane(String title, String tag, BooleanSupplier installed, Supplier<String> missingMessage,
      Function<String, RuntimeException> missing, BooleanSupplier ci, PrintStream err) {
    this.title = title;
    this.tag = tag;
    this.installed = installed;
    this.missingMessage = missingMessage;
    this.missing = missing;
    this.ci = ci;
    this.err = err;
  }

  /** True when the CI environment variable is {@code true}: the lanes must run, not skip. */
  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * For an {@code ExecutionCondition}: enabled when the tool is installed ({@code installedReason})
   * or on CI; otherwise disabled, reported once on stderr.
   */
  public ConditionEvaluationResult evaluate(String installedReason) {
    if (installed.getAsBoolean()) {
      return ConditionEvaluationResult.enabled(installedReason);
    }
    if (ci.getAsBoolean()) {
      return ConditionEvaluationResult.enabled("CI=true: the " + title + " lane never skips");
    }
    return ConditionEvaluationResult.disabled(reportSkip());
  }

  /** Throws the lane's exception when the tool is missing (reached only on CI, where nothing skips). */
  public void requireInstalled() {
    if (!installed.getAsBoolean()) {
      throw missing.apply(missingMessage.get() + " (CI=true: the " + title + " lane does not skip)");
    }
  }

  /** For a {@code @BeforeAll}: returns when the tool is installed, fails on CI, aborts (skips) otherwise. */
  public void assumeInstalled() {
    if (installed.getAsBoolean()) {
      return;
    }
    if (ci.getAsBoolean()) {
      requireInstalled();
    }
    Assumptions.abort(reportSkip());
  }

  private String reportSkip() {
    String reason = title + " lane skipped: " + missingMessage.get();
    if (skipReported.compareAndSet(false, true)) {
      err.println("[" + tag + "] " + reason);
    }
    return reason;
  }

  /** The context of the test class, whose store lives as long as the class's tests. */
  public static ExtensionContext testClassContext(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext;
  }

  /** {@code target/<folder>/<owner>-<time>} (the temporary folder without target/): kept after the run. */
  public static Path workDir(String folder, String owner) {
    Path base = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(
        System.getProperty("java.io.tmpdir"));
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
    try {
      return Files.createDirectories(base.resolve(folder).resolve(owner + "-" + stamp)).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
