package io.autohealer.simulator.realkube;

import io.autohealer.simulator.realtemporal.RealTemporalExtension;
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

/** See {@link RealKubernetes}. */
public final class RealKubernetesExtension
    implements ExecutionCondition, BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealKubernetesExtension.class);
  private static final AtomicBoolean SKIP_REPORTED = new AtomicBoolean();

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (KubeTestbed.find().isPresent()) {
      return ConditionEvaluationResult.enabled("real-Kubernetes test bed found");
    }
    if (RealTemporalExtension.onCi()) {
      return ConditionEvaluationResult.enabled("CI=true: the real-Kubernetes lane never skips");
    }
    String reason = "real-Kubernetes lane skipped: " + KubeTestbed.missingMessage();
    if (SKIP_REPORTED.compareAndSet(false, true)) {
      System.err.println("[real-kubernetes] " + reason);
    }
    return ConditionEvaluationResult.disabled(reason);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (KubeTestbed.find().isEmpty()) {
      throw new KubeTestbedMissingException(
          KubeTestbed.missingMessage() + " (CI=true: the real-Kubernetes lane does not skip)");
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RealKubeApiServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    String owner = classContext.getRequiredTestClass().getSimpleName();
    // An AutoCloseable in the class's store: JUnit closes it when the class is done.
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
        RealKubeApiServer.class, k -> startFor(owner), RealKubeApiServer.class);
  }

  private static RealKubeApiServer startFor(String owner) {
    RealKubeApiServer server = RealKubeApiServer.builder().kwok(true).workDir(workDirFor(owner)).start();
    System.out.println("[real-kubernetes] " + owner + ": kube-apiserver at " + server.masterUrl()
        + ", kubeconfig " + server.kubeconfig() + ", logs in " + server.workDir());
    return server;
  }

  /** target/real-kube/&lt;class&gt;-&lt;time&gt;: kept after the run, for the logs. */
  private static Path workDirFor(String owner) {
    Path base = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(
        System.getProperty("java.io.tmpdir"));
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
    try {
      return Files.createDirectories(base.resolve("real-kube").resolve(owner + "-" + stamp))
          .toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
