package io.autohealer.worker.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.RealLane;
import io.autohealer.simulator.openstack.ExternalKeystone;
import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.openstack.OpenStackDelays;
import io.autohealer.simulator.openstack.OpenStackSimulator;
import io.autohealer.simulator.openstack.SimulatedCluster;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.process.ManagedProcess;
import io.autohealer.simulator.realkeystone.RealKeystone;
import io.autohealer.simulator.world.CloudWorld;
import io.autohealer.simulator.world.SimTiming;
import io.autohealer.workflows.activities.CloudActivities;
import io.autohealer.workflows.activities.CloudActivities.AwaitClusterUpdate;
import io.autohealer.workflows.activities.CloudActivities.CheckGate;
import io.autohealer.workflows.activities.CloudActivities.ClusterUpdateResult;
import io.autohealer.workflows.activities.CloudActivities.DescribeServer;
import io.autohealer.workflows.activities.CloudActivities.RebootServer;
import io.autohealer.workflows.activities.CloudActivities.ReplaceResult;
import io.autohealer.workflows.activities.CloudActivities.ReplaceWorker;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openstack4j.model.identity.v3.Token;

/**
 * The worker's OpenStack session and cloud activities with tokens from a real Keystone (Debian's
 * package), against the simulated Nova, Magnum and Heat, which validate every token with that
 * Keystone ({@link ExternalKeystone}); the Keystone catalog points at the simulator. Tokens live
 * {@value #TOKEN_SECONDS} seconds, so that one expires in the middle of a repair.
 */
@Tag("real-keystone")
class RealKeystoneCloudTest {
  private static final int TOKEN_SECONDS = 30;
  /** The simulated cloud runs 10 times faster than real time. */
  private static final double SPEED = 10;

  private static RealKeystone keystone;
  private static OpenStackSimulator sim;
  private final List<TestActivityEnvironment> environments = new ArrayList<>();

  @BeforeAll
  static void start() {
    new RealLane("real-Keystone", "real-keystone", RealKeystone::installed, RealKeystone::missingMessage,
        IllegalStateException::new).assumeInstalled();
    // Keystone's templated catalog is written before it starts, so the simulator's port is chosen first.
    int port = ManagedProcess.freePort();
    Duration expiration = Duration.ofSeconds(TOKEN_SECONDS);
    keystone = RealKeystone.start(RealKeystone.simulatorCatalog("http://127.0.0.1:" + port), expiration);
    // A resize's stack update lasts one token lifetime in real time, so the repair outlives its token.
    Duration stackUpdate = Duration.ofMillis((long) (expiration.toMillis() * SPEED));
    OpenStackDelays delays = new OpenStackDelays(Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(20),
        Duration.ofSeconds(5), stackUpdate, Duration.ofSeconds(10));
    KeystoneAccount account = new KeystoneAccount(keystone.clusterOwnerId(), RealKeystone.CLUSTER_OWNER,
        "default", RealKeystone.DOMAIN, keystone.password(), keystone.projectId(), RealKeystone.PROJECT,
        keystone.trustId());
    sim = new OpenStackSimulator(new CloudWorld(new SimTiming(SPEED)), SimulatorOptions.defaults()
        .withPort(port).withAccount(account).withDelays(delays)
        .withExternalKeystone(new ExternalKeystone(keystone.authUrl(), keystone.serviceUserId(),
            keystone.password(), keystone.serviceProjectId())))
        .start();
    sim.newCluster("k8s").masters(1).workers(2).create();
    sim.newCluster("k8s-long-repair").masters(1).workers(2).create();
    sim.newCluster("k8s-idle-worker").masters(1).workers(1).create();
  }

  @AfterAll
  static void stop() {
    if (sim != null) {
      sim.close();
    }
    if (keystone != null) {
      keystone.close();
    }
  }

  @AfterEach
  void closeEnvironments() {
    environments.forEach(TestActivityEnvironment::close);
  }

  @Test
  void everyWayTheWorkerAuthenticatesGetsATokenTheSimulatedServicesAccept() {
    assertAccepted("password, user and project by id", base().userId(keystone.clusterOwnerId())
        .password(keystone.password()).projectId(keystone.projectId()).build(), keystone.clusterOwnerId());
    assertAccepted("password, user and project by name", base().username(RealKeystone.CLUSTER_OWNER)
        .userDomainName(RealKeystone.DOMAIN).password(keystone.password()).projectName(RealKeystone.PROJECT)
        .projectDomainId("default").build(), keystone.clusterOwnerId());
    // Magnum's own deployment: the trustee's id and password with trust-id; the token impersonates the owner.
    assertAccepted("trust", base().userId(keystone.trusteeId()).password(keystone.password())
        .trustId(keystone.trustId()).build(), keystone.clusterOwnerId());
    assertAccepted("application credential by id", base()
        .applicationCredentialId(keystone.applicationCredentialId())
        .applicationCredentialSecret(keystone.applicationCredentialSecret()).build(), keystone.clusterOwnerId());
    assertAccepted("application credential by name and user id", base()
        .applicationCredentialName(RealKeystone.APPLICATION_CREDENTIAL).userId(keystone.clusterOwnerId())
        .applicationCredentialSecret(keystone.applicationCredentialSecret()).build(), keystone.clusterOwnerId());
    assertAccepted("application credential by name and user name", base()
        .applicationCredentialName(RealKeystone.APPLICATION_CREDENTIAL).username(RealKeystone.CLUSTER_OWNER)
        .userDomainName(RealKeystone.DOMAIN)
        .applicationCredentialSecret(keystone.applicationCredentialSecret()).build(), keystone.clusterOwnerId());
  }

  @Test
  void aWrongApplicationCredentialSecretIsRefusedByKeystone() {
    OpenStackCredentials wrong = base().applicationCredentialId(keystone.applicationCredentialId())
        .applicationCredentialSecret("not-the-secret-123").build();
    OpenStackApiException e = assertThrows(OpenStackApiException.class,
        () -> new OpenStackSession(wrong).client());
    assertEquals(401, e.status());
    assertFalse(e.getMessage().contains("not-the-secret-123"), e.getMessage());
  }

  @Test
  void theSimulatedServicesRefuseTokensThisKeystoneDidNotIssueForTheProject() throws Exception {
    String good = new OpenStackSession(base().userId(keystone.clusterOwnerId()).password(keystone.password())
        .projectId(keystone.projectId()).build()).client().getToken().getId();
    assertEquals(200, serversStatus(good));
    assertEquals(401, serversStatus("gAAAAAnot-a-token-keystone-issued"));
    assertEquals(401, serversStatus(null));
    // A token of another project (the service user's own) is refused as well.
    String otherProject = new OpenStackSession(base().userId(keystone.serviceUserId())
        .password(keystone.password()).projectId(keystone.serviceProjectId()).build()).client().getToken().getId();
    assertEquals(401, serversStatus(otherProject));
    // The simulator's own Keystone still issues tokens, but its services no longer take them.
    HttpResponse<String> own = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(sim.authUrl() + "/auth/tokens"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"auth\":{\"identity\":{\"methods\":[\"password\"],"
            + "\"password\":{\"user\":{\"id\":\"" + sim.account().userId() + "\",\"password\":\""
            + sim.account().password() + "\"}}},\"scope\":{\"project\":{\"id\":\"" + sim.account().projectId()
            + "\"}}}}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, own.statusCode(), own.body());
    assertEquals(401, serversStatus(own.headers().firstValue("X-Subject-Token").orElseThrow()));
  }

  /**
   * Two workers, each with its own session, through a token expiry: one runs a whole worker
   * replacement whose resize outlasts the token (the token expires inside an activity: the next
   * call is answered 401 and openstack4j re-authenticates and repeats it); the other runs short
   * activities now and then (the session renews the token before it expires, no call is refused).
   * Every activity runs once, without retries: a failed step fails the test.
   */
  @Test
  void aTokenThatExpiresMidRepairIsRenewedWithoutAFailedStep() throws Exception {
    // The repair renews through openstack4j's 401 path with our application-credential body; the
    // idle worker renews ahead of time with a trust, as Magnum's deployment authenticates.
    OpenStackSession repairing = new OpenStackSession(base()
        .applicationCredentialId(keystone.applicationCredentialId())
        .applicationCredentialSecret(keystone.applicationCredentialSecret()).build());
    OpenStackSession idle = new OpenStackSession(base().userId(keystone.trusteeId())
        .password(keystone.password()).trustId(keystone.trustId()).build());
    Token repairFirst = repairing.currentToken();
    Token idleFirst = idle.currentToken();
    CloudActivities repair = activities(repairing);
    CloudActivities shortSteps = activities(idle);
    long started = System.nanoTime();

    CompletableFuture<ClusterUpdateResult> replaced = CompletableFuture.supplyAsync(() -> {
      SimulatedCluster cluster = sim.cluster("k8s-long-repair").orElseThrow();
      String worker = cluster.workerIds().get(0);
      assertTrue(repair.checkGate(new CheckGate("k8s-long-repair")).open());
      ReplaceResult resize = repair.replaceWorker(new ReplaceWorker("k8s-long-repair", worker, null, List.of()));
      assertEquals(new ReplaceResult("default-worker", 2, false), resize);
      ClusterUpdateResult done = repair.awaitClusterUpdate(
          new AwaitClusterUpdate("k8s-long-repair", worker, Duration.ofSeconds(1)));
      assertFalse(repair.describeServer(new DescribeServer(worker)).exists());
      return done;
    });
    CompletableFuture<Integer> idleSteps = CompletableFuture.supplyAsync(() -> {
      SimulatedCluster cluster = sim.cluster("k8s-idle-worker").orElseThrow();
      String worker = cluster.workerIds().get(0);
      Instant until = idleFirst.getExpires().toInstant().plusSeconds(3);
      int steps = 0;
      while (Instant.now().isBefore(until)) {
        assertTrue(shortSteps.checkGate(new CheckGate("k8s-idle-worker")).open());
        assertTrue(shortSteps.describeServer(new DescribeServer(worker)).exists());
        shortSteps.rebootServer(new RebootServer(worker));
        steps += 3;
        pause(Duration.ofSeconds(2)); // a worker idle between repairs: wall-clock time has to pass
      }
      return steps;
    });

    assertEquals(new ClusterUpdateResult("UPDATE_COMPLETE", true),
        replaced.get(3L * TOKEN_SECONDS, TimeUnit.SECONDS));
    int steps = idleSteps.get(3L * TOKEN_SECONDS, TimeUnit.SECONDS);
    System.out.printf("[real-keystone] token expiry: repair and %d short steps in %d s; tokens accepted %d,"
            + " refused %d%n", steps, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
        sim.acceptedTokens().size(), sim.refusedTokens().size());

    // The repair's first token expired inside awaitClusterUpdate and was refused once; a new one went on.
    assertTrue(sim.refusedTokens().contains(repairFirst.getId()),
        "the repair outlived its first token, which the services refused after it expired");
    assertNotEquals(repairFirst.getId(), repairing.currentToken().getId());
    assertTrue(sim.acceptedTokens().contains(repairing.currentToken().getId()));
    // The idle worker never sent its expired token: the session renewed it before it ran out.
    assertFalse(sim.refusedTokens().contains(idleFirst.getId()), "the idle worker's token was renewed in time");
    assertNotEquals(idleFirst.getId(), idle.currentToken().getId());
    assertTrue(sim.acceptedTokens().contains(idleFirst.getId()));
  }

  // ---------------------------------------------------------------------------------------------

  private void assertAccepted(String how, OpenStackCredentials credentials, String expectedUser) {
    OpenStackSession session = new OpenStackSession(credentials);
    Token token = session.client().getToken();
    assertEquals(keystone.projectId(), token.getProject().getId(), how);
    assertEquals(expectedUser, token.getUser().getId(), how);
    CloudActivities activities = activities(session);
    SimulatedCluster cluster = sim.cluster("k8s").orElseThrow();
    // Magnum and Heat (the gate reads the cluster and its stack), then Nova.
    assertTrue(activities.checkGate(new CheckGate("k8s")).open(), how);
    assertTrue(activities.describeServer(new DescribeServer(cluster.workerIds().get(0))).exists(), how);
    assertTrue(sim.acceptedTokens().contains(token.getId()), how + ": the simulated services took the token");
  }

  private CloudActivities activities(OpenStackSession session) {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    environments.add(env);
    env.registerActivitiesImplementations(new CloudActivitiesImpl(session));
    return env.newActivityStub(CloudActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(4L * TOKEN_SECONDS))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  private static OpenStackCredentials.Builder base() {
    return OpenStackCredentials.builder().authUrl(keystone.authUrl()).region(RealKeystone.REGION);
  }

  private static int serversStatus(String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sim.port() + "/compute/v2.1/servers")).timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("X-Auth-Token", token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
