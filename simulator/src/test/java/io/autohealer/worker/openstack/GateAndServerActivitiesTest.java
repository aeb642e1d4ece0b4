package io.autohealer.worker.openstack;

import static io.autohealer.worker.openstack.SimulatedOpenStack.POLL;
import static io.autohealer.worker.openstack.SimulatedOpenStack.WAIT;
import static io.autohealer.worker.openstack.SimulatedOpenStack.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.openstack.Await;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.CloudActivities.CheckGate;
import io.autohealer.workflows.activities.CloudActivities.DescribeServer;
import io.autohealer.workflows.activities.CloudActivities.DetachResult;
import io.autohealer.workflows.activities.CloudActivities.DetachVolumes;
import io.autohealer.workflows.activities.CloudActivities.ForceDeleteServer;
import io.autohealer.workflows.activities.CloudActivities.GateResult;
import io.autohealer.workflows.activities.CloudActivities.RebootResult;
import io.autohealer.workflows.activities.CloudActivities.RebootServer;
import io.autohealer.workflows.activities.CloudActivities.ServerDeleted;
import io.autohealer.workflows.activities.CloudActivities.ServerState;
import io.autohealer.workflows.activities.CloudActivities.ShutOff;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gate, and what the repair asks of single servers, against the simulated OpenStack. */
class GateAndServerActivitiesTest {
  private SimulatedOpenStack cloud;
  private OpenStackSimulator sim;
  private CloudWorld world;
  private CloudActivities activities;
  private SimulatedCluster cluster;

  @BeforeEach
  void setUp() {
    cloud = new SimulatedOpenStack();
    sim = cloud.sim;
    world = cloud.world;
    activities = cloud.activities;
    cluster = sim.newCluster("k8s").masters(1).workers(3).create();
  }

  @AfterEach
  void tearDown() {
    cloud.close();
  }

  @Test
  void gateIsOpenForAHealthyClusterWithHealingEnabled() {
    assertEquals(new GateResult(true, null, "CREATE_COMPLETE", "CREATE_COMPLETE"),
        activities.checkGate(new CheckGate("k8s")));
    assertEquals(1, sim.calls("heat.stack.find"));
    assertEquals(1, sim.calls("heat.stack.get"));
  }

  @Test
  void gateReadsTheLabelAsGoParseBoolDoes() {
    List<String> open = List.of("1", "t", "T", "TRUE", "true", "True");
    for (int i = 0; i < open.size(); i++) {
      sim.newCluster("on-" + i).label("auto_healing_enabled", open.get(i)).create();
      assertTrue(activities.checkGate(new CheckGate("on-" + i)).open(), open.get(i));
    }
    sim.newCluster("off").label("auto_healing_enabled", "False").create();
    sim.newCluster("yes").label("auto_healing_enabled", "yes").create();
    sim.newCluster("unlabelled").withoutLabel("auto_healing_enabled").create();

    assertEquals(new GateResult(false, "label auto_healing_enabled is not true (it is \"False\")",
        "CREATE_COMPLETE", null), activities.checkGate(new CheckGate("off")));
    assertEquals("label auto_healing_enabled is not true (\"yes\" is not a boolean)",
        activities.checkGate(new CheckGate("yes")).reason());
    assertEquals("label auto_healing_enabled is not true (cluster unlabelled has no such label)",
        activities.checkGate(new CheckGate("unlabelled")).reason());
  }

  @Test
  void gateIsClosedWhileTheClusterIsNotComplete() {
    cluster.setStatus("UPDATE_IN_PROGRESS", null);
    assertEquals(new GateResult(false, "cluster k8s is UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", null),
        activities.checkGate(new CheckGate("k8s")));

    cluster.setStatus("UPDATE_FAILED", "Quota exceeded for instances");
    assertEquals("cluster k8s is UPDATE_FAILED: Quota exceeded for instances",
        activities.checkGate(new CheckGate(cluster.uuid())).reason());
    assertEquals(0, sim.calls("heat.stack.find"));
  }

  @Test
  void gateIsClosedWhileTheStackIsUpdatingOrFailedEvenIfMagnumLooksComplete() {
    cluster.setStackStatus("UPDATE_IN_PROGRESS", "Stack UPDATE started");
    assertEquals(new GateResult(false, "Heat stack " + cluster.stackName() + " of cluster k8s is UPDATE_IN_PROGRESS",
        "CREATE_COMPLETE", "UPDATE_IN_PROGRESS"), activities.checkGate(new CheckGate("k8s")));

    cluster.setStackStatus("UPDATE_FAILED", "Resource UPDATE failed: volume in-use");
    assertEquals("Heat stack " + cluster.stackName() + " of cluster k8s is UPDATE_FAILED: "
        + "Resource UPDATE failed: volume in-use", activities.checkGate(new CheckGate("k8s")).reason());

    cluster.setStackStatus("CHECK_COMPLETE", null);
    assertTrue(activities.checkGate(new CheckGate("k8s")).open());
  }

  @Test
  void gateFailsForAnUnknownClusterAndRetriesAServerError() {
    ApplicationFailure unknown = failure(() -> activities.checkGate(new CheckGate("nope")));
    assertEquals("ClusterNotFound", unknown.getType());
    assertTrue(unknown.isNonRetryable());

    sim.faults().failNext("heat.stack.find", 1, 503);
    ApplicationFailure heat = failure(() -> activities.checkGate(new CheckGate("k8s")));
    assertFalse(heat.isNonRetryable());
    assertEquals("Heat GET /stacks/" + cluster.stackId() + " answered HTTP 503: Injected fault on heat.stack.find",
        heat.getOriginalMessage());
  }

  @Test
  void describeShowsNovasStatusOrDeleted() {
    String worker = cluster.workerIds().get(0);
    assertEquals(new ServerState(true, "ACTIVE"), activities.describeServer(new DescribeServer(worker)));
    assertEquals(new ServerState(false, "DELETED"),
        activities.describeServer(new DescribeServer(UUID.randomUUID().toString())));
  }

  @Test
  void rebootOfAnActiveServerIsSentOnceAndRestartsItsKubelet() {
    String worker = cluster.workerIds().get(0);
    world.update(worker, s -> s.withFault(NodeFault.KUBELET_STOPPED));

    assertEquals(new RebootResult(true, "REBOOT"), activities.rebootServer(new RebootServer(worker)));
    assertEquals(new RebootResult(true, "REBOOT"), activities.rebootServer(new RebootServer(worker)));
    assertEquals(1, sim.calls("nova.server.reboot"));

    Await.until("the reboot ends", WAIT, () -> world.server(worker).orElseThrow().status() == ServerStatus.ACTIVE);
    assertTrue(world.server(worker).orElseThrow().kubeletHealthy());
  }

  @Test
  void rebootTrustsAnEarlierAttemptsHeartbeat() {
    String worker = cluster.workerIds().get(0);
    cloud.env.setHeartbeatDetails(new CloudActivitiesImpl.RebootSent(worker));

    assertEquals(new RebootResult(true, "ACTIVE"), activities.rebootServer(new RebootServer(worker)));
    assertEquals(0, sim.calls("nova.server.reboot"));
  }

  @Test
  void rebootOfAServerThatCannotSoftRebootReportsItsStatus() {
    String off = cluster.workerIds().get(0);
    String broken = cluster.workerIds().get(1);
    activities.shutOffServer(new ShutOff(off, POLL));
    sim.breakServer(broken);

    assertEquals(new RebootResult(false, "SHUTOFF"), activities.rebootServer(new RebootServer(off)));
    assertEquals(new RebootResult(false, "ERROR"), activities.rebootServer(new RebootServer(broken)));
    assertEquals(new RebootResult(false, "DELETED"),
        activities.rebootServer(new RebootServer(UUID.randomUUID().toString())));
    assertEquals(0, sim.calls("nova.server.reboot"));
  }

  @Test
  void rebootRefusedWithBadRequestFailsWithoutRetryNamingTheCall() {
    String worker = cluster.workerIds().get(0);
    sim.faults().failNext("nova.server.reboot", 1, 400);

    ApplicationFailure failure = failure(() -> activities.rebootServer(new RebootServer(worker)));

    assertTrue(failure.isNonRetryable());
    assertEquals("OpenStackRejected", failure.getType());
    assertTrue(failure.getOriginalMessage().startsWith(
        "Nova POST /servers/" + worker + "/action reboot SOFT answered HTTP 400"), failure.getOriginalMessage());
  }

  @Test
  void forceDeleteDeletesOnceAndThenFindsNothing() {
    String worker = cluster.workerIds().get(0);

    assertEquals(new ServerDeleted(true), activities.forceDeleteServer(new ForceDeleteServer(worker)));
    assertEquals(new ServerDeleted(true), activities.forceDeleteServer(new ForceDeleteServer(worker)));
    Await.until("the server is gone", WAIT, () -> world.server(worker).isEmpty());
    assertEquals(new ServerDeleted(false), activities.forceDeleteServer(new ForceDeleteServer(worker)));
    assertEquals(1, sim.calls("nova.server.forceDelete"));
  }

  @Test
  void detachKeepsTheBootVolumeAndTheKeptVolumesAndWaitsForTheRest() {
    SimulatedCluster bfv = sim.newCluster("bfv").masters(1).workers(1).bootFromVolume("worker").create();
    String worker = bfv.workerIds().get(0);
    String boot = sim.bootVolume(worker).orElseThrow();
    String docker = sim.attachedVolumes(worker).get(1);
    String csiKept = sim.attachVolume(worker, "pvc-kept", false);
    String csiDetached = sim.attachVolume(worker, "pvc-detached", false);

    DetachResult result = activities.detachVolumes(new DetachVolumes(worker, List.of(csiKept), POLL));

    assertEquals(new DetachResult(List.of(docker, csiDetached), boot), result);
    assertEquals(List.of(boot, csiKept), sim.attachedVolumes(worker));
    assertEquals("available", sim.volumeStatus(csiDetached).orElseThrow());
    assertEquals(new DetachResult(List.of(), boot),
        activities.detachVolumes(new DetachVolumes(worker, List.of(csiKept), POLL)));
    assertEquals(2, sim.calls("nova.server.volumeDetach"));
  }

  @Test
  void detachOfAServerBootedFromAnImageHasNoBootVolume() {
    String worker = cluster.workerIds().get(0);
    String docker = sim.attachedVolumes(worker).get(0);

    assertEquals(new DetachResult(List.of(docker), null),
        activities.detachVolumes(new DetachVolumes(worker, null, POLL)));
    assertEquals(List.of(), sim.attachedVolumes(worker));
  }

  @Test
  void detachWaitsForADetachAnEarlierAttemptSentInsteadOfSendingItAgain() {
    String worker = cluster.workerIds().get(0);
    String docker = sim.attachedVolumes(worker).get(0);
    cloud.session.client();
    assertTrue(new NovaApi().detachVolume(worker, docker));
    assertEquals("detaching", sim.volumeStatus(docker).orElseThrow());

    assertEquals(new DetachResult(List.of(docker), null),
        activities.detachVolumes(new DetachVolumes(worker, List.of(), POLL)));
    assertEquals(List.of(), sim.attachedVolumes(worker));
    assertEquals(1, sim.calls("nova.server.volumeDetach"));
  }

  @Test
  void detachOfAMissingServerIsDone() {
    assertEquals(new DetachResult(List.of(), null),
        activities.detachVolumes(new DetachVolumes(UUID.randomUUID().toString(), List.of(), POLL)));
  }
}
