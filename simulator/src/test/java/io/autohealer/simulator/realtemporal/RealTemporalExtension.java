package io.autohealer.simulator.realtemporal;

import io.autohealer.simulator.RealLane;
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
  private static final RealLane LANE = new RealLane("real-Temporal", RealTemporal.TAG,
      () -> TemporalCli.find().isPresent(), TemporalCli::missingMessage, TemporalCliMissingException::new);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return LANE.evaluate("Temporal CLI found");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    LANE.requireInstalled();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TemporalDevServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = RealLane.testClassContext(context);
    String owner = classContext.getRequiredTestClass().getSimpleName();
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
        TemporalDevServer.class, k -> startFor(owner), TemporalDevServer.class);
  }

  /** Its files under target/real-temporal/&lt;class&gt;-&lt;time&gt;: kept after the run, for the log and the db. */
  private static TemporalDevServer startFor(String owner) {
    TemporalDevServer server = TemporalDevServer.builder()
        .workDir(RealLane.workDir("real-temporal", owner)).start();
    System.out.println("[real-temporal] " + owner + ": Temporal dev server at " + server.target()
        + ", Web UI " + server.uiUrl() + ", log " + server.logFile());
    return server;
  }
}
