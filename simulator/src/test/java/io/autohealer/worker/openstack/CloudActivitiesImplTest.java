package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.openstack.Await;
import io.autohealer.simulator.openstack.OpenStackDelays;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.CloudActivities.AwaitClusterUpdate;
import io.autohealer.workflows.activities.CloudActivities.ClusterUpdateResult;
import io.autohealer.workflows.activities.CloudActivities.ReplaceResult;
import io.autohealer.workflows.activities.CloudActivities.ReplaceWorker;
import io.autohealer.workflows.activities.CloudActivities.ShutOff;
import io.autohealer.workflows.activities.CloudActivities.ShutOffResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cloud activities against the simulated OpenStack, 500 times faster than real time. */
class CloudActivitiesImplTest {
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private CloudWorld world;
  private OpenStackSimulator sim;
  private SimulatedCluster cluster;
  private TestActivityEnvironment env;
  private CloudActivities activities;

  @BeforeEach
  void setUp() {
    world = new CloudWorld(new SimTiming(500));
    // The Heat phase of a resize lasts 200 ms here, so a second invocation surely sees the update.
    OpenStackDelays delays = new OpenStackDelays(Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofSeconds(60),
        Duration.ofSeconds(1), Duration.ofSeconds(100), Duration.ofSeconds(10));
    sim = new OpenStackSimulator(world, SimulatorOptions.defaults().withDelays(delays)).start();
    cluster = sim.newCluster("k8s").masters(3).workers(3).create();
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new CloudActivitiesImpl(new OpenStackSession(SimulatorCredentials.byIds(sim))));
    activities = env.newActivityStub(CloudActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    sim.close();
  }

  @Test
  void shutOffStopsOnceAndIsIdempotent() {
    String worker = cluster.workerIds().get(0);

    ShutOffResult first = activities.shutOffServer(new ShutOff(worker, POLL));
    ShutOffResult second = activities.shutOffServer(new ShutOff(worker, POLL));

    assertEquals(new ShutOffResult("SHUTOFF", false), first);
    assertEquals(new ShutOffResult("SHUTOFF", true), second);
    assertEquals(ServerStatus.SHUTOFF, world.server(worker).orElseThrow().status());
    assertEquals(1, sim.calls("nova.server.stop"));
  }

  @Test
  void shutOffOfAMissingServerIsDone() {
    ShutOffResult result = activities.shutOffServer(new ShutOff(UUID.randomUUID().toString(), POLL));

    assertEquals(new ShutOffResult("DELETED", true), result);
    assertEquals(0, sim.calls("nova.server.stop"));
  }

  @Test
  void shutOffWaitsForAStopAnEarlierAttemptSent() throws Exception {
    String worker = cluster.workerIds().get(0);
    activities.shutOffServer(new ShutOff(worker, POLL));
    String other = cluster.workerIds().get(1);
    OpenStackSession session = new OpenStackSession(SimulatorCredentials.byIds(sim));
    session.client().compute().servers().action(other, org.openstack4j.model.compute.Action.STOP);

    assertEquals(new ShutOffResult("SHUTOFF", false), activities.shutOffServer(new ShutOff(other, POLL)));
    assertEquals(2, sim.calls("nova.server.stop"));
  }

  @Test
  void replaceWorkerSendsOneResizeAcrossInvocationsAndTheUpdateReplacesTheServer() {
    String worker = cluster.workerIds().get(1);
    SimServer server = world.server(worker).orElseThrow();
    ReplaceWorker request = new ReplaceWorker("k8s", worker, null, List.of(server.ip(), server.name()));

    ReplaceResult first = activities.replaceWorker(request);
    assertEquals(new ReplaceResult("default-worker", 3, false), first);
    Await.until("the resize is picked up", WAIT, () -> cluster.status().equals("UPDATE_IN_PROGRESS"));

    ApplicationFailure busy = failure(() -> activities.replaceWorker(request));
    assertEquals("ClusterBusy", busy.getType());
    assertFalse(busy.isNonRetryable());

    ClusterUpdateResult update = activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", worker, POLL));
    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true), update);

    // The server is gone, so no nodegroup lists its address any more: nothing to resize.
    assertEquals(new ReplaceResult(null, 0, true), activities.replaceWorker(request));
    assertEquals(1, sim.calls("magnum.resize"));
    List<String> workers = cluster.workerIds();
    assertEquals(3, workers.size());
    assertFalse(workers.contains(worker));
    SimServer replacement = world.server(workers.get(2)).orElseThrow();
    assertEquals("k8s-node-3", replacement.name());
    assertEquals(ServerStatus.ACTIVE, replacement.status());
  }

  @Test
  void replaceWorkerTrustsAnEarlierAttemptsHeartbeat() {
    String worker = cluster.workerIds().get(0);
    env.setHeartbeatDetails(new CloudActivitiesImpl.ResizeAccepted("k8s", worker, "default-worker", 3));

    ReplaceResult result = activities.replaceWorker(new ReplaceWorker("k8s", worker, "default-worker", List.of()));

    assertEquals(new ReplaceResult("default-worker", 3, true), result);
    assertEquals(0, sim.calls("magnum.resize"));
  }

  @Test
  void rejectedResizeFailsWithoutRetry() {
    String worker = cluster.workerIds().get(0);
    sim.faults().failNext("magnum.resize", 1, 400);

    ApplicationFailure failure = failure(() ->
        activities.replaceWorker(new ReplaceWorker("k8s", worker, "default-worker", List.of())));

    assertTrue(failure.isNonRetryable());
    assertEquals("OpenStackRejected", failure.getType());
    assertTrue(failure.getOriginalMessage().contains("Magnum POST /clusters/k8s/actions/resize answered HTTP 400"),
        failure.getOriginalMessage());
  }

  @Test
  void unknownNodegroupAndUnknownClusterFailWithoutRetry() {
    String worker = cluster.workerIds().get(0);

    ApplicationFailure noGroup = failure(() ->
        activities.replaceWorker(new ReplaceWorker("k8s", worker, "gpu-workers", List.of())));
    ApplicationFailure noCluster = failure(() ->
        activities.replaceWorker(new ReplaceWorker("nope", worker, null, List.of())));

    assertEquals("NodegroupNotFound", noGroup.getType());
    assertTrue(noGroup.isNonRetryable());
    assertEquals("ClusterNotFound", noCluster.getType());
    assertTrue(noCluster.isNonRetryable());
  }

  @Test
  void failedClusterUpdateFailsWithItsReason() {
    String worker = cluster.workerIds().get(0);
    cluster.failNextUpdate("Resource CREATE failed: Quota exceeded for instances");
    activities.replaceWorker(new ReplaceWorker("k8s", worker, "default-worker", List.of()));
    Await.until("the resize is picked up", WAIT, () -> !cluster.status().equals("CREATE_COMPLETE"));

    ApplicationFailure failure = failure(() ->
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", worker, POLL)));

    assertEquals("ClusterUpdateFailed", failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("UPDATE_FAILED: Resource CREATE failed: Quota exceeded"),
        failure.getOriginalMessage());
  }

  @Test
  void serverErrorsAreRetryable() {
    String worker = cluster.workerIds().get(0);
    sim.faults().failNext("nova.server.get", 1, 503);
    sim.faults().failNext("magnum.cluster.get", 1, 500);

    ApplicationFailure nova = failure(() -> activities.shutOffServer(new ShutOff(worker, POLL)));
    ApplicationFailure magnum = failure(() ->
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", worker, POLL)));

    assertFalse(nova.isNonRetryable());
    assertEquals("OpenStackUnavailable", nova.getType());
    assertTrue(nova.getOriginalMessage().contains("503"), nova.getOriginalMessage());
    assertFalse(magnum.isNonRetryable());
    assertTrue(magnum.getOriginalMessage().contains("Magnum GET /clusters/k8s answered HTTP 500"),
        magnum.getOriginalMessage());
  }

  @Test
  void noFailureCarriesThePassword() {
    sim.faults().failNext("magnum.cluster.get", 1, 401);
    sim.faults().failNext("keystone.token", 1, 401);

    ApplicationFailure failure = failure(() ->
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", null, POLL)));

    assertFalse(failure.getOriginalMessage().contains(sim.account().password()), failure.getOriginalMessage());
  }

  private static ApplicationFailure failure(Runnable call) {
    ActivityFailure failure = assertThrows(ActivityFailure.class, call::run);
    return assertInstanceOf(ApplicationFailure.class, failure.getCause());
  }
}
