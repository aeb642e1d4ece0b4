package io.autohealer.simulator.realtemporal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** See {@link RealTemporal}. */
public final class RealTemporalExtension
    implements ExecutionCondition, BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealTemporalExtension.class);
  private static final AtomicBoolean SKIP_REPORTED = new AtomicBoolean();

  /** True when the CI environment variable is {@code true}: the lane must run, not skip. */
  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (TemporalCli.find().isPresent()) {
      return ConditionEvaluationResult.enabled("Temporal CLI found");
    }
    if (onCi()) {
      return ConditionEvaluationResult.enabled("CI=true: the real-Temporal lane never skips");
    }
    String reason = "real-Temporal lane skipped: " + TemporalCli.missingMessage();
    if (SKIP_REPORTED.compareAndSet(false, true)) {
      System.err.println("[real-temporal] " + reason);
    }
    return ConditionEvaluationResult.disabled(reason);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (TemporalCli.find().isEmpty()) {
      throw new TemporalCliMissingException(
          TemporalCli.missingMessage() + " (CI=true: the real-Temporal lane does not skip)");
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TemporalDevServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    String owner = classContext.getRequiredTestClass().getSimpleName();
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
        TemporalDevServer.class, k -> startFor(owner), TemporalDevServer.class);
  }

  private static TemporalDevServer startFor(String owner) {
    TemporalDevServer server = TemporalDevServer.builder().workDir(workDirFor(owner)).start();
    System.out.println("[real-temporal] " + owner + ": Temporal dev server at " + server.target()
        + ", Web UI " + server.uiUrl() + ", log " + server.logFile());
    return server;
  }

  /** target/real-temporal/&lt;class&gt;-&lt;time&gt;: kept after the run, for the log and the db. */
  private static Path workDirFor(String owner) {
    Path base = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(
        System.getProperty("java.io.tmpdir"));
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
    try {
      return Files.createDirectories(base.resolve("real-temporal").resolve(owner + "-" + stamp))
          .toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
