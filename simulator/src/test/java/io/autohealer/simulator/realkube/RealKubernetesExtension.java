package io.autohealer.simulator.realkube;

import io.autohealer.simulator.RealLane;
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
  private static final RealLane LANE = new RealLane("real-Kubernetes", RealKubernetes.TAG,
      () -> KubeTestbed.find().isPresent(), KubeTestbed::missingMessage, KubeTestbedMissingException::new);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return LANE.evaluate("real-Kubernetes test bed found");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    LANE.requireInstalled();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RealKubeApiServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = RealLane.testClassContext(context);
    String owner = classContext.getRequiredTestClass().getSimpleName();
    // An AutoCloseable in the class's store: JUnit closes it when the class is done.
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
        RealKubeApiServer.class, k -> startFor(owner), RealKubeApiServer.class);
  }

  /** Its files under target/real-kube/&lt;class&gt;-&lt;time&gt;: kept after the run, for the logs. */
  private static RealKubeApiServer startFor(String owner) {
    RealKubeApiServer server = RealKubeApiServer.builder().kwok(true)
        .workDir(RealLane.workDir("real-kube", owner)).start();
    System.out.println("[real-kubernetes] " + owner + ": kube-apiserver at " + server.masterUrl()
        + ", kubeconfig " + server.kubeconfig() + ", logs in " + server.workDir());
    return server;
  }
}
