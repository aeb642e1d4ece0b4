package io.autohealer.detector;

import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;

/**
 * A health-check plugin, built by its {@link HealthCheckFactory} from one entry of {@code
 * healthcheck.master} or {@code healthcheck.worker}. The checks of a role run in config order and
 * the first that fails decides (Go semantics).
 *
 * <p>{@link #check} runs on the detector's thread for every node on every tick and on every node
 * change: it must not block (no network, no file reads), and must not modify the node (it comes
 * from the informer cache). A check that needs I/O, like {@code Endpoint}, does it on its own
 * threads, answers from what it saw last, and calls {@link HealthCheckContext#recheck} when that
 * changes.
 *
 * <p>Life cycle: the detector calls {@link #start} once before the first {@link #check}, {@link
 * #forget} when a Node is deleted, and {@link #close} when it stops. A check that keeps no state
 * needs none of them.
 *
 * <p>Example of a third-party check (listed in {@code
 * META-INF/services/io.autohealer.detector.HealthCheckFactory} of its jar, named in the config by
 * {@code type: Unschedulable}):
 *
 * <pre>{@code
 * public final class UnschedulableCheckFactory implements HealthCheckFactory {
 *   public String type() { return "Unschedulable"; }
 *
 *   public HealthCheck create(HealthCheckParams params) {
 *     Duration grace = params.duration("unhealthy-duration", Duration.ofHours(1));
 *     return new HealthCheck() {
 *       public String name() { return "UnschedulableCheck"; }
 *       public boolean supportsMaster() { return false; }
 *       public boolean supportsWorker() { return true; }
 *       public CheckResult check(Node node, Instant now) {
 *         boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
 *         return cordoned ? CheckResult.unhealthy("cordoned") : CheckResult.healthy();
 *       }
 *     };
 *   }
 * }
 * }</pre>
 */
public interface HealthCheck {

  /** The name reported as the failed check, e.g. {@code NodeConditionCheck} (Go's {@code GetName}). */
  String name();

  boolean supportsMaster();

  boolean supportsWorker();

  CheckResult check(Node node, Instant now);

  /** Called once, before the first {@link #check}; the context stays valid until {@link #close}. */
  default void start(HealthCheckContext context) {}

  /** The Node is gone: drop what is kept about it. Called on the detector's thread. */
  default void forget(String node) {}

  /** The detector stops: release threads and connections. */
  default void close() {}
}
