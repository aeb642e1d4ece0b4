package io.autohealer.worker.openstack;

import static io.autohealer.worker.openstack.SimulatedOpenStack.POLL;
import static io.autohealer.worker.openstack.SimulatedOpenStack.WAIT;
import static io.autohealer.worker.openstack.SimulatedOpenStack.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.kubernetes.SimulatedKubelets;
import io.autohealer.simulator.openstack.Await;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.worker.kubernetes.NodeConditions;
import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.CloudActivities.AwaitClusterUpdate;
import io.autohealer.workflows.activities.CloudActivities.ClusterUpdateResult;
import io.autohealer.workflows.activities.CloudActivities.ForceDeleteServer;
import io.autohealer.workflows.activities.CloudActivities.MarkMasterUnhealthy;
import io.autohealer.workflows.activities.CloudActivities.MarkResult;
import io.autohealer.workflows.activities.CloudActivities.StackUpdateResult;
import io.autohealer.workflows.activities.CloudActivities.UpdateStack;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A master rebuild through Heat (mark unhealthy, stack update, await) against the simulated
 * OpenStack, whose servers run simulated kubelets on a Kubernetes API.
 */
class MasterRebuildActivitiesTest {
  private SimulatedOpenStack cloud;
  private OpenStackSimulator sim;
  private CloudWorld world;
  private CloudActivities activities;
  private SimulatedCluster cluster;
  private KubernetesSimulator kubernetes;
  private SimulatedKubelets kubelets;

  @BeforeEach
  void setUp() {
    cloud = new SimulatedOpenStack();
    sim = cloud.sim;
    world = cloud.world;
    activities = cloud.activities;
    cluster = sim.newCluster("k8s").masters(3).workers(1).create();
    kubernetes = KubernetesSimulator.start(0);
    kubelets = new SimulatedKubelets(world, kubernetes.client()).start();
  }

  @AfterEach
  void tearDown() {
    kubelets.close();
    kubernetes.close();
    cloud.close();
  }

  @Test
  void markUpdateAndAwaitReplaceTheMasterExactlyOnceUnderItsNameEvenWhenUpdateStackRunsTwice() {
    String master = cluster.masterIds().get(1);
    String name = world.server(master).orElseThrow().name();
    Set<String> before = new HashSet<>(cluster.masterIds());

    MarkResult marked = activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    assertEquals(1, marked.marked().size());
    assertTrue(marked.marked().get(0).matches(cluster.stackName() + "-kube_masters-.+-1-.+/kube-master"),
        marked.marked().toString());
    assertEquals(marked, activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master)));
    assertEquals(1, sim.calls("heat.resource.markUnhealthy"));

    assertEquals(new StackUpdateResult(cluster.stackName(), false), activities.updateStack(new UpdateStack("k8s")));
    // A retry during the update cannot tell it from someone else's: it waits for the stack to settle.
    assertStackBusy(() -> activities.updateStack(new UpdateStack("k8s")));

    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true),
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", master, POLL)));
    // Once done, nothing is marked any more: a late retry sends nothing either.
    assertEquals(new StackUpdateResult(cluster.stackName(), true), activities.updateStack(new UpdateStack("k8s")));
    assertEquals(1, sim.calls("heat.stack.update"));

    Set<String> after = new HashSet<>(cluster.masterIds());
    Set<String> added = new HashSet<>(after);
    added.removeAll(before);
    before.removeAll(after);
    assertEquals(Set.of(master), before);
    assertEquals(1, added.size());
    String replacement = added.iterator().next();
    assertEquals(name, world.server(replacement).orElseThrow().name());
    assertTrue(world.server(master).isEmpty());
    // Polled, not watched: a watch can keep the mock API server from closing in time.
    Await.until("node " + name + " is registered by the replacement and Ready", WAIT, () -> {
      Node node = kubernetes.client().nodes().withName(name).get();
      return node != null && ("openstack:///" + replacement).equals(node.getSpec().getProviderID())
          && NodeConditions.isReady(node);
    });
  }

  @Test
  void aMasterBootingFromAHeatVolumeHasItsVolumeMarkedAndRebuiltToo() {
    SimulatedCluster bfv = sim.newCluster("bfv").masters(3).workers(1).bootFromVolume("master").create();
    String master = bfv.masterIds().get(0);
    String volume = sim.bootVolume(master).orElseThrow();

    MarkResult marked = activities.markMasterUnhealthy(new MarkMasterUnhealthy("bfv", master));

    assertEquals(2, marked.marked().size());
    assertTrue(marked.marked().get(0).endsWith("/kube_master_volume"), marked.marked().toString());
    assertTrue(marked.marked().get(1).endsWith("/kube-master"), marked.marked().toString());
    assertFalse(activities.updateStack(new UpdateStack("bfv")).alreadyInProgress());
    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true),
        activities.awaitClusterUpdate(new AwaitClusterUpdate("bfv", master, POLL)));
    String rebuilt = world.serverByName("bfv-master-0").orElseThrow().id();
    assertNotEquals(master, rebuilt);
    assertNotEquals(volume, sim.bootVolume(rebuilt).orElseThrow());
    assertTrue(sim.volumeStatus(volume).isEmpty());
  }

  @Test
  void aForceDeletedMasterIsAwaitedUntilHeatHasReplacedIt() {
    String master = cluster.masterIds().get(2);
    String name = world.server(master).orElseThrow().name();
    activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    assertTrue(activities.forceDeleteServer(new ForceDeleteServer(master)).deleted());
    Await.until("the server is gone", WAIT, () -> world.server(master).isEmpty());

    assertFalse(activities.updateStack(new UpdateStack("k8s")).alreadyInProgress());
    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true),
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", master, POLL)));

    SimServer rebuilt = world.serverByName(name).orElseThrow();
    assertNotEquals(master, rebuilt.id());
    assertEquals(ServerStatus.ACTIVE, rebuilt.status());
    assertEquals(3, cluster.masterIds().size());
  }

  @Test
  void updateStackTrustsAnEarlierAttemptsHeartbeat() {
    String master = cluster.masterIds().get(0);
    activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    cloud.env.setHeartbeatDetails(
        new CloudActivitiesImpl.StackUpdateSent("k8s", cluster.stackId(), cluster.stackName()));

    assertEquals(new StackUpdateResult(cluster.stackName(), true), activities.updateStack(new UpdateStack("k8s")));
    assertEquals(0, sim.calls("heat.stack.update"));
  }

  @Test
  void aLostAnswerToTheStackUpdateIsNotFollowedByASecondUpdate() {
    String master = cluster.masterIds().get(0);
    activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    CloudActivities impatient = cloud.activities(cloud.sessionWithReadTimeout(Duration.ofMillis(300)), 1);
    sim.faults().loseNextAnswers("heat.stack.update", 1);

    ApplicationFailure lost = failure(() -> impatient.updateStack(new UpdateStack("k8s")));
    sim.faults().releaseHangs();
    assertFalse(lost.isNonRetryable());
    assertTrue(lost.getOriginalMessage().startsWith("Heat PATCH /stacks/" + cluster.stackName() + "/"
        + cluster.stackId() + " got no answer"), lost.getOriginalMessage());

    // The retries (TestActivityEnvironment does not retry by itself) have no heartbeat to go by: they
    // wait while the stack updates, and then find nothing marked any more.
    assertStackBusy(() -> impatient.updateStack(new UpdateStack("k8s")));
    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true),
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", master, POLL)));
    assertEquals(new StackUpdateResult(cluster.stackName(), true), impatient.updateStack(new UpdateStack("k8s")));
    assertEquals(1, sim.calls("heat.stack.update"));
  }

  @Test
  void anotherOperationOnTheStackIsWaitedOutAndThenTheMarksGetAnUpdateOfTheirOwn() {
    String master = cluster.masterIds().get(0);
    activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    // Another repair's resize: a stack update that does not rebuild this repair's marks.
    cluster.setStackStatus("UPDATE_IN_PROGRESS", "resize of default-worker");

    assertStackBusy(() -> activities.updateStack(new UpdateStack("k8s")));
    assertEquals(0, sim.calls("heat.stack.update"));

    cluster.setStackStatus("UPDATE_COMPLETE", "resize of default-worker done");
    assertEquals(new StackUpdateResult(cluster.stackName(), false), activities.updateStack(new UpdateStack("k8s")));
    assertEquals(1, sim.calls("heat.stack.update"));
    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true),
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", master, POLL)));
    assertTrue(world.server(master).isEmpty());
  }

  private void assertStackBusy(Runnable call) {
    ApplicationFailure busy = failure(call);
    assertEquals("StackBusy", busy.getType());
    assertFalse(busy.isNonRetryable());
  }

  @Test
  void aFailedStackUpdateFailsTheAwaitWithHeatsReason() {
    String master = cluster.masterIds().get(0);
    cluster.failNextUpdate("Resource CREATE failed: Quota exceeded for instances");
    activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    activities.updateStack(new UpdateStack("k8s"));

    ApplicationFailure failure = failure(() ->
        activities.awaitClusterUpdate(new AwaitClusterUpdate("k8s", master, POLL)));

    assertEquals("ClusterUpdateFailed", failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("UPDATE_FAILED: Resource CREATE failed: Quota exceeded"),
        failure.getOriginalMessage());
  }

  @Test
  void aServerThatIsNoResourceOfTheStackFailsWithoutRetry() {
    ApplicationFailure failure = failure(() ->
        activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", UUID.randomUUID().toString())));

    assertEquals("ServerNotInStack", failure.getType());
    assertTrue(failure.isNonRetryable());
    assertEquals(0, sim.calls("heat.resource.markUnhealthy"));
  }

  @Test
  void heatServerErrorsAreRetryableAndBadRequestsAreNotAndNameTheCall() {
    String master = cluster.masterIds().get(0);
    sim.faults().failNext("heat.resource.list", 1, 503);
    ApplicationFailure unavailable = failure(() ->
        activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master)));
    assertFalse(unavailable.isNonRetryable());
    assertEquals("OpenStackUnavailable", unavailable.getType());
    assertTrue(unavailable.getOriginalMessage().startsWith("Heat GET /stacks/" + cluster.stackName() + "/"
        + cluster.stackId() + "/resources?nested_depth=2 answered HTTP 503"), unavailable.getOriginalMessage());

    sim.faults().failNext("heat.resource.markUnhealthy", 1, 400);
    ApplicationFailure rejected = failure(() ->
        activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master)));
    assertTrue(rejected.isNonRetryable());
    assertEquals("OpenStackRejected", rejected.getType());
    assertTrue(rejected.getOriginalMessage().matches(
        "Heat PATCH /stacks/\\S+/resources/kube-master mark_unhealthy answered HTTP 400: .*"),
        rejected.getOriginalMessage());

    sim.faults().failNext("heat.stack.update", 1, 500);
    activities.markMasterUnhealthy(new MarkMasterUnhealthy("k8s", master));
    ApplicationFailure update = failure(() -> activities.updateStack(new UpdateStack("k8s")));
    assertFalse(update.isNonRetryable());
    assertEquals("Heat PATCH /stacks/" + cluster.stackName() + "/" + cluster.stackId()
        + " answered HTTP 500: Injected fault on heat.stack.update", update.getOriginalMessage());
    // Heat changed nothing, so the next attempt sends the update.
    assertFalse(activities.updateStack(new UpdateStack("k8s")).alreadyInProgress());
  }
}
