package io.autohealer.simulator.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.simulator.world.ServerStatus;
import io.autohealer.simulator.world.SimServer;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.simulator.world.WorldListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's wire behaviour, checked with a plain HTTP client. */
class OpenStackSimulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newHttpClient();
  private CloudWorld world;
  private OpenStackSimulator sim;
  private SimulatedCluster cluster;
  private String token;

  record Reply(int status, Map<String, List<String>> headers, JsonNode body) {}

  @BeforeEach
  void setUp() throws Exception {
    world = new CloudWorld(new SimTiming(500));
    sim = new OpenStackSimulator(world).start();
    cluster = sim.newCluster("k8s").masters(3).workers(3).workerBounds(1, 5).create();
    token = authenticate().headers().get("x-subject-token").get(0);
  }

  @AfterEach
  void tearDown() {
    sim.close();
  }

  @Test
  void keystoneIssuesAScopedTokenWithACatalogAndRefusesWrongPasswords() throws Exception {
    Reply ok = authenticate();
    assertEquals(201, ok.status());
    JsonNode catalog = ok.body().path("token").path("catalog");
    assertEquals(List.of("identity", "compute", "container-infra", "orchestration", "volumev3"),
        catalog.findValuesAsText("type"));
    assertEquals("magnum", catalog.get(2).path("name").asText());

    ObjectNode wrong = authBody();
    ((ObjectNode) wrong.at("/auth/identity/password/user")).put("password", "nope");
    Reply refused = send("POST", "/identity/v3/auth/tokens", wrong, Map.of());
    assertEquals(401, refused.status());
    assertEquals(401, refused.body().at("/error/code").asInt());
  }

  @Test
  void callsWithoutAValidTokenGet401WithWwwAuthenticate() throws Exception {
    Reply reply = send("GET", "/compute/v2.1/servers/detail", null, Map.of("X-Auth-Token", "bogus"));

    assertEquals(401, reply.status());
    assertTrue(reply.headers().get("www-authenticate").get(0).contains("/identity/v3"));
    assertEquals("Unauthorized", reply.body().at("/error/title").asText());
  }

  @Test
  void novaAnswersWithRealKeysAndErrorShapes() throws Exception {
    String worker = cluster.workerIds().get(0);
    JsonNode server = get("/compute/v2.1/servers/" + worker).body().path("server");
    assertEquals("ACTIVE", server.path("status").asText());
    assertEquals("active", server.path("OS-EXT-STS:vm_state").asText());
    assertEquals(1, server.path("OS-EXT-STS:power_state").asInt());
    assertTrue(server.path("addresses").path("private").get(0).has("addr"));
    assertTrue(server.path("os-extended-volumes:volumes_attached").isArray());

    Reply missing = get("/compute/v2.1/servers/00000000-0000-0000-0000-000000000000");
    assertEquals(404, missing.status());
    assertEquals(404, missing.body().at("/itemNotFound/code").asInt());
  }

  @Test
  void novaStopThenStopAgainConflicts() throws Exception {
    String worker = cluster.workerIds().get(0);
    assertEquals(202, action(worker, Map.of("os-stop", Map.of())).status());
    Reply again = action(worker, Map.of("os-stop", Map.of()));
    assertEquals(409, again.status());
    // Still powering off, or (the stop takes 20 ms at this speed) already stopped.
    assertTrue(again.body().at("/conflictingRequest/message").asText()
        .matches("Cannot 'stop' instance .* while it is in (task_state powering-off|vm_state stopped)"));

    Await.until("SHUTOFF", WAIT, () -> world.server(worker).orElseThrow().status() == ServerStatus.SHUTOFF);
    Reply softReboot = action(worker, Map.of("reboot", Map.of("type", "SOFT")));
    assertEquals(409, softReboot.status());
    assertTrue(softReboot.body().at("/conflictingRequest/message").asText().contains("vm_state stopped"));
    assertEquals(2, sim.calls("nova.server.stop"));
  }

  @Test
  void softRebootRestartsAStoppedKubeletButNotABrokenNode() throws Exception {
    String stopped = cluster.workerIds().get(0);
    String broken = cluster.workerIds().get(1);
    world.update(stopped, s -> s.withFault(NodeFault.KUBELET_STOPPED));
    world.update(broken, s -> s.withFault(NodeFault.BROKEN_UNTIL_REPLACED));

    List<ServerStatus> seen = new CopyOnWriteArrayList<>();
    world.addListener(new WorldListener() {
      @Override
      public void serverChanged(SimServer server) {
        if (server.id().equals(stopped)) {
          seen.add(server.status());
        }
      }

      @Override
      public void serverDeleted(SimServer server) {}
    });
    action(stopped, Map.of("reboot", Map.of("type", "SOFT")));
    action(broken, Map.of("reboot", Map.of("type", "SOFT")));

    Await.until("both rebooted", WAIT, () -> world.server(stopped).orElseThrow().status() == ServerStatus.ACTIVE
        && world.server(broken).orElseThrow().status() == ServerStatus.ACTIVE);
    // Through REBOOT (how long it lasts at this speed is no business of the test) back to ACTIVE.
    assertTrue(seen.contains(ServerStatus.REBOOT), seen.toString());
    assertTrue(world.server(stopped).orElseThrow().kubeletHealthy());
    assertEquals(NodeFault.BROKEN_UNTIL_REPLACED, world.server(broken).orElseThrow().fault());
  }

  @Test
  void magnumNeedsMicroversionsForNodegroupsAndResize() throws Exception {
    Reply noHeader = send("GET", "/magnum/v1/clusters/k8s/nodegroups", null, Map.of("X-Auth-Token", token));
    assertEquals(406, noHeader.status());
    assertEquals("container-infra 1.1", noHeader.headers().get("openstack-api-version").get(0));

    Reply tooOld = send("POST", "/magnum/v1/clusters/k8s/actions/resize", Map.of("node_count", 3),
        Map.of("X-Auth-Token", token, "OpenStack-API-Version", "container-infra 1.6"));
    assertEquals(406, tooOld.status());

    Reply tooNew = send("GET", "/magnum/v1/clusters/k8s", null,
        Map.of("X-Auth-Token", token, "OpenStack-API-Version", "container-infra 1.99"));
    assertEquals(406, tooNew.status());
    assertEquals("magnum.microversion-unsupported", tooNew.body().at("/errors/0/code").asText());
    assertEquals("1.10", tooNew.body().at("/errors/0/max_version").asText());

    Reply cluster = magnum("GET", "/clusters/k8s", null);
    assertEquals(200, cluster.status());
    assertEquals("true", cluster.body().at("/labels/auto_healing_enabled").asText());
    assertEquals(3, cluster.body().path("node_count").asInt());
    assertEquals(3, cluster.body().path("master_count").asInt());
  }

  @Test
  void magnumResizeValidatesAndErrorsHaveMagnumsShape() throws Exception {
    String master = cluster.masterIds().get(0);
    Reply notMember = magnum("POST", "/clusters/k8s/actions/resize",
        Map.of("node_count", 3, "nodes_to_remove", List.of(master), "nodegroup", "default-worker"));
    assertEquals(400, notMember.status());
    assertEquals(400, notMember.body().at("/errors/0/status").asInt());
    assertEquals("client", notMember.body().at("/errors/0/code").asText());

    Reply tooMany = magnum("POST", "/clusters/k8s/actions/resize", Map.of("node_count", 6));
    assertEquals(400, tooMany.status());

    Reply unknown = magnum("GET", "/clusters/nope", null);
    assertEquals(404, unknown.status());
    assertTrue(unknown.body().at("/errors/0/detail").asText().contains("Cluster nope could not be found"));

    cluster.setStatus("CREATE_IN_PROGRESS", null);
    Reply busy = magnum("POST", "/clusters/k8s/actions/resize", Map.of("node_count", 3));
    assertEquals(409, busy.status());
  }

  @Test
  void nodegroupGetListsNodeAddressesButTheListDoesNot() throws Exception {
    JsonNode list = magnum("GET", "/clusters/k8s/nodegroups", null).body().path("nodegroups");
    assertEquals(2, list.size());
    assertTrue(list.get(1).path("node_addresses").isMissingNode());

    JsonNode worker = magnum("GET", "/clusters/k8s/nodegroups/default-worker", null).body();
    assertEquals(3, worker.path("node_addresses").size());
    assertEquals("worker", worker.path("role").asText());
    assertEquals(5, worker.path("max_node_count").asInt());
  }

  @Test
  void healthPatchIsAppliedOnlyWhenTheClusterIsComplete() throws Exception {
    List<Map<String, String>> patch = List.of(
        Map.of("op", "replace", "path", "/health_status", "value", "UNHEALTHY"),
        Map.of("op", "replace", "path", "/health_status_reason", "value", "{'api': 'ok', 'nodes': 'error'}"));
    assertEquals(202, magnum("PATCH", "/clusters/k8s", patch).status());
    Await.until("health applied", WAIT, () -> cluster.healthStatus().equals("UNHEALTHY"));

    Reply labels = magnum("PATCH", "/clusters/k8s",
        List.of(Map.of("op", "replace", "path", "/labels", "value", "{}")));
    assertEquals(400, labels.status());
  }

  @Test
  void injectedFaultsAnswerTheChosenStatusAndAreCounted() throws Exception {
    sim.faults().failNext("nova.server.get", 2, 503);
    String id = cluster.workerIds().get(0);

    assertEquals(503, get("/compute/v2.1/servers/" + id).status());
    assertEquals(503, get("/compute/v2.1/servers/" + id).status());
    assertEquals(200, get("/compute/v2.1/servers/" + id).status());
    assertEquals(3, sim.calls("nova.server.get"));
  }

  @Test
  void bootFromVolumeServersShowNoImageAndAVolumeAtTheRootDevice() throws Exception {
    SimulatedCluster bfv = sim.newCluster("bfv").masters(1).workers(1).bootFromVolume("worker").create();
    String worker = bfv.workerIds().get(0);

    assertEquals("", get("/compute/v2.1/servers/" + worker).body().at("/server/image").asText("x"));
    JsonNode attachments = get("/compute/v2.1/servers/" + worker + "/os-volume_attachments").body()
        .path("volumeAttachments");
    assertEquals(List.of("/dev/vda", "/dev/vdb"), attachments.findValuesAsText("device"));
    String boot = attachments.get(0).path("volumeId").asText();
    assertEquals(sim.bootVolume(worker).orElseThrow(), boot);
    JsonNode volume = get("/volume/v3/" + sim.account().projectId() + "/volumes/" + boot).body().path("volume");
    assertEquals("true", volume.path("bootable").asText());
    assertEquals("in-use", volume.path("status").asText());
    assertEquals(worker, volume.at("/attachments/0/server_id").asText());
    assertTrue(get("/compute/v2.1/servers/" + bfv.masterIds().get(0)).body().at("/server/image/id").isTextual());
  }

  @Test
  void volumeDetachIsAsynchronousAndRefusesTheRootVolumeAndASecondDetach() throws Exception {
    sim.close();
    // 500 s of detach at 500x: detaching for one real second.
    sim = new OpenStackSimulator(world, SimulatorOptions.defaults()
        .withDelays(OpenStackDelays.realistic().withDetach(Duration.ofSeconds(500)))).start();
    token = authenticate().headers().get("x-subject-token").get(0);
    SimulatedCluster bfv = sim.newCluster("bfv").masters(1).workers(1).bootFromVolume("worker").create();
    String worker = bfv.workerIds().get(0);
    String boot = sim.bootVolume(worker).orElseThrow();
    String pv = sim.attachVolume(worker, "pvc-1", false);
    String docker = sim.attachedVolumes(worker).get(1);
    String attachments = "/compute/v2.1/servers/" + worker + "/os-volume_attachments/";

    Reply root = send("DELETE", attachments + boot, null, Map.of("X-Auth-Token", token));
    assertEquals(400, root.status());
    assertEquals("Cannot detach a root device volume", root.body().at("/badRequest/message").asText());

    assertEquals(202, send("DELETE", attachments + docker, null, Map.of("X-Auth-Token", token)).status());
    assertEquals("detaching", sim.volumeStatus(docker).orElseThrow());
    assertEquals(List.of(boot, docker, pv), sim.attachedVolumes(worker));
    Reply again = send("DELETE", attachments + docker, null, Map.of("X-Auth-Token", token));
    assertEquals(400, again.status());
    assertTrue(again.body().at("/badRequest/message").asText().contains("current status is: detaching"));

    Await.until("the docker volume is detached", WAIT, () -> !sim.attachedVolumes(worker).contains(docker));
    assertEquals("available", sim.volumeStatus(docker).orElseThrow());
    assertEquals(404, send("DELETE", attachments + docker, null, Map.of("X-Auth-Token", token)).status());
    assertEquals(4, sim.calls("nova.server.volumeDetach"));
  }

  @Test
  void stackUpdateOfABootFromVolumeMasterFailsUnlessItsVolumeIsMarkedToo() throws Exception {
    SimulatedCluster bfv = sim.newCluster("bfv").masters(3).workers(1).bootFromVolume("master").create();
    String master = bfv.masterIds().get(0);
    String heat = "/heat/v1/" + sim.account().projectId() + "/stacks/" + bfv.stackName() + "/" + bfv.stackId();
    JsonNode resources = get(heat + "/resources?nested_depth=2").body().path("resources");
    JsonNode server = find(resources, master);
    JsonNode volume = find(resources, sim.bootVolume(master).orElseThrow());
    assertEquals("kube_master_volume", volume.path("resource_name").asText());
    assertEquals(server.at("/links/1/href").asText(), volume.at("/links/1/href").asText());
    String nested = server.at("/links/1/href").asText().replaceFirst(".*/stacks/", "/stacks/");
    String markPath = "/heat/v1/" + sim.account().projectId() + nested + "/resources/";

    assertEquals(200, send("PATCH", markPath + master, Map.of("mark_unhealthy", true), auth()).status());
    assertEquals(202, send("PATCH", heat, Map.of(), auth()).status());
    Await.until("the update fails", WAIT, () -> bfv.status().equals("UPDATE_FAILED"));
    assertTrue(bfv.statusReason().contains("current status is: in-use"), bfv.statusReason());
    assertTrue(world.server(master).isPresent());

    assertEquals(200, send("PATCH", markPath + "kube_master_volume", Map.of("mark_unhealthy", true), auth()).status());
    assertEquals(202, send("PATCH", heat, Map.of(), auth()).status());
    Await.until("the update completes", WAIT, () -> bfv.status().equals("UPDATE_COMPLETE"));
    assertTrue(world.server(master).isEmpty());
    String rebuilt = bfv.masterIds().get(0);
    assertEquals(world.serverByName("bfv-master-0").orElseThrow().id(), rebuilt);
    assertTrue(sim.bootVolume(rebuilt).isPresent());
    assertTrue(sim.volumeStatus(volume.path("physical_resource_id").asText()).isEmpty());
  }

  @Test
  void hungCallsTimeOutAndALostAnswerStillActs() throws Exception {
    String worker = cluster.workerIds().get(0);
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
            + "/compute/v2.1/servers/" + worker)).header("X-Auth-Token", token)
        .timeout(Duration.ofMillis(300)).build();
    HttpRequest stop = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port()
            + "/compute/v2.1/servers/" + worker + "/action")).header("X-Auth-Token", token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"os-stop\": null}"))
        .timeout(Duration.ofMillis(300)).build();
    sim.faults().hangNext("nova.server.get", 1).loseNextAnswers("nova.server.stop", 1);

    assertThrows(HttpTimeoutException.class, () -> http.send(get, HttpResponse.BodyHandlers.discarding()));
    assertThrows(HttpTimeoutException.class, () -> http.send(stop, HttpResponse.BodyHandlers.discarding()));
    sim.faults().releaseHangs();

    Await.until("the stop took effect", WAIT,
        () -> world.server(worker).orElseThrow().status() == ServerStatus.SHUTOFF);
    assertEquals(200, http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(2, sim.calls("nova.server.get"));
    assertEquals(1, sim.calls("nova.server.stop"));
  }

  private static JsonNode find(JsonNode resources, String physicalId) {
    for (JsonNode r : resources) {
      if (physicalId.equals(r.path("physical_resource_id").asText())) {
        return r;
      }
    }
    throw new AssertionError("no resource " + physicalId + " in " + resources);
  }

  private Map<String, String> auth() {
    return Map.of("X-Auth-Token", token);
  }

  private Reply authenticate() throws Exception {
    return send("POST", "/identity/v3/auth/tokens", authBody(), Map.of());
  }

  private ObjectNode authBody() {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode auth = body.putObject("auth");
    ObjectNode identity = auth.putObject("identity");
    identity.putArray("methods").add("password");
    identity.putObject("password").putObject("user")
        .put("id", sim.account().userId()).put("password", sim.account().password());
    auth.putObject("scope").putObject("project").put("id", sim.account().projectId());
    return body;
  }

  private Reply get(String path) throws Exception {
    return send("GET", path, null, Map.of("X-Auth-Token", token));
  }

  private Reply action(String serverId, Object body) throws Exception {
    return send("POST", "/compute/v2.1/servers/" + serverId + "/action", body, Map.of("X-Auth-Token", token));
  }

  private Reply magnum(String method, String path, Object body) throws Exception {
    return send(method, "/magnum/v1" + path, body,
        Map.of("X-Auth-Token", token, "OpenStack-API-Version", "container-infra 1.10"));
  }

  private Reply send(String method, String path, Object body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
        .header("Content-Type", "application/json");
    headers.forEach(request::header);
    HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    JsonNode parsed = response.body().length == 0 ? JSON.missingNode() : JSON.readTree(response.body());
    return new Reply(response.statusCode(), response.headers().map(), parsed);
  }
}
