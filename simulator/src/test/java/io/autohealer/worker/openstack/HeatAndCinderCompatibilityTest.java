package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.openstack.Await;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.model.common.Link;
import org.openstack4j.model.heat.Resource;
import org.openstack4j.model.heat.Stack;

/** The simulated Heat and Cinder through unmodified openstack4j, the way the master repair uses them. */
class HeatAndCinderCompatibilityTest {
  private CloudWorld world;
  private OpenStackSimulator sim;
  private SimulatedCluster cluster;
  private OpenStackSession session;

  @BeforeEach
  void setUp() {
    world = new CloudWorld(new SimTiming(500));
    sim = new OpenStackSimulator(world).start();
    cluster = sim.newCluster("k8s").masters(3).workers(2).create();
    session = new OpenStackSession(SimulatorCredentials.byIds(sim));
  }

  @AfterEach
  void tearDown() {
    sim.close();
  }

  @Test
  void findStackListNestedResourcesMarkUnhealthyAndUpdateRebuildsTheMasterUnderItsName() {
    OSClientV3 os = session.client();
    Stack stack = os.heat().stacks().getStackByName(cluster.stackId());
    assertEquals(cluster.stackName(), stack.getName());
    assertEquals("CREATE_COMPLETE", stack.getStatus());

    String master = cluster.masterIds().get(1);
    SimServer old = world.server(master).orElseThrow();
    List<? extends Resource> resources = os.heat().resources().list(stack.getName(), 2);
    Resource server = resources.stream()
        .filter(r -> master.equals(r.getPhysicalResourceId())).findFirst().orElseThrow();
    assertEquals("OS::Nova::Server", server.getType());
    assertEquals("kube-master", server.getResourceName());
    // The Go healer takes the parent stack from the last two segments of the non-self link.
    String[] parent = server.getLinks().stream().filter(l -> !"self".equals(l.getRel()))
        .map(Link::getHref).findFirst().orElseThrow().split("/");
    String parentName = parent[parent.length - 2];
    String parentId = parent[parent.length - 1];

    assertTrue(os.heat().resources().markUnhealthy(parentName, parentId, master,
        Builders.resourceHealth().markUnhealthy(true).resourceStatusReason("autohealing").build()).isSuccess());
    assertEquals("CHECK_FAILED", os.heat().resources().list(stack.getName(), 2).stream()
        .filter(r -> master.equals(r.getPhysicalResourceId())).findFirst().orElseThrow().getResourceStatus());

    new HeatApi().update(new HeatStack(stack.getId(), stack.getName(), stack.getStatus(), null));
    assertEquals("UPDATE_IN_PROGRESS", os.heat().stacks().getDetails(stack.getName(), stack.getId()).getStatus());
    Await.until("the stack update completes", Duration.ofSeconds(10),
        () -> cluster.status().equals("UPDATE_COMPLETE") && cluster.stackStatus().equals("UPDATE_COMPLETE"));

    assertTrue(world.server(master).isEmpty());
    SimServer rebuilt = world.serverByName(old.name()).orElseThrow();
    assertNotEquals(master, rebuilt.id());
    assertEquals(ServerStatus.ACTIVE, rebuilt.status());
    assertEquals(3, cluster.masterIds().size());
    assertEquals(1, sim.calls("heat.stack.update"));
  }

  @Test
  void cinderVolumeOfANodeIsNotBootable() {
    OSClientV3 os = session.client();
    String worker = cluster.workerIds().get(0);
    List<String> volumes = os.compute().servers().get(worker).getOsExtendedVolumesAttached();
    assertEquals(1, volumes.size());

    assertFalse(os.blockStorage().volumes().get(volumes.get(0)).bootable());
    assertEquals(1, sim.calls("cinder.volume.get"));
  }
}
