package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.autohealer.simulator.openstack.OpenStackDelays;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.workflows.activities.CloudActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openstack4j.core.transport.Config;

/**
 * The simulated OpenStack at 500 times real time, and {@link CloudActivitiesImpl} on it in
 * Temporal's test activity environment. Close it after each test.
 */
final class SimulatedOpenStack implements AutoCloseable {
  static final double SPEED = 500;
  static final Duration POLL = Duration.ofMillis(20);
  static final Duration WAIT = Duration.ofSeconds(10);

  /**
   * Real-time delays (divided by 500): a soft reboot, a delete and a detach last one second, so a
   * second invocation surely sees them under way, even on a busy machine; a stop 20 ms; a stack
   * update or resize about 350 ms.
   */
  static final OpenStackDelays DELAYS = new OpenStackDelays(Duration.ofSeconds(10), Duration.ofSeconds(10),
      Duration.ofSeconds(500), Duration.ofSeconds(20), Duration.ofSeconds(500), Duration.ofSeconds(60),
      Duration.ofSeconds(1), Duration.ofSeconds(100), Duration.ofSeconds(10), Duration.ofSeconds(500));

  final CloudWorld world = new CloudWorld(new SimTiming(SPEED));
  final OpenStackSimulator sim;
  final OpenStackSession session;
  /** The environment of {@link #activities}, e.g. to set heartbeat details of an earlier attempt. */
  final TestActivityEnvironment env;
  /** The activities, each invocation a single attempt (a failure comes back at once). */
  final CloudActivities activities;
  private final List<TestActivityEnvironment> environments = new ArrayList<>();

  SimulatedOpenStack() {
    sim = new OpenStackSimulator(world, SimulatorOptions.defaults().withDelays(DELAYS)).start();
    session = new OpenStackSession(SimulatorCredentials.byIds(sim));
    env = TestActivityEnvironment.newInstance();
    environments.add(env);
    activities = stub(env, session, 1);
  }

  /**
   * The activities on their own session, retried up to {@code attempts} times 10 ms apart, in an
   * environment of their own.
   */
  CloudActivities activities(OpenStackSession on, int attempts) {
    TestActivityEnvironment other = TestActivityEnvironment.newInstance();
    environments.add(other);
    return stub(other, on, attempts);
  }

  private static CloudActivities stub(TestActivityEnvironment env, OpenStackSession on, int attempts) {
    env.registerActivitiesImplementations(new CloudActivitiesImpl(on));
    return env.newActivityStub(CloudActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(attempts)
            .setInitialInterval(Duration.ofMillis(10)).setBackoffCoefficient(1).build())
        .build());
  }

  /** A session whose calls give up after {@code readTimeout} without an answer. */
  OpenStackSession sessionWithReadTimeout(Duration readTimeout) {
    return new OpenStackSession(SimulatorCredentials.byIds(sim),
        Config.newConfig().withConnectionTimeout(1000).withReadTimeout((int) readTimeout.toMillis()),
        Duration.ofMinutes(5), Clock.systemUTC());
  }

  static ApplicationFailure failure(Runnable call) {
    ActivityFailure failure = assertThrows(ActivityFailure.class, call::run);
    return assertInstanceOf(ApplicationFailure.class, failure.getCause());
  }

  @Override
  public void close() {
    environments.forEach(TestActivityEnvironment::close);
    sim.close();
  }
}
