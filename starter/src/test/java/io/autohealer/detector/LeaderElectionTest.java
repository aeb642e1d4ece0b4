package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.LeaderElectionSettings;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  /** leader-election: a Lease of our own, fast timings. */
  private static final LeaderElectionSettings FAST =
      new LeaderElectionSettings("autohealer", "healer-lock", Duration.ofSeconds(2), Duration.ofMillis(1500),
          Duration.ofMillis(200));

  static KubernetesClient client;

  @Test
  void oneReplicaLeadsAndTheOtherTakesOverWhenItStops() throws InterruptedException {
    CountDownLatch firstLeads = new CountDownLatch(1);
    CountDownLatch firstStopped = new CountDownLatch(1);
    CountDownLatch secondLeads = new CountDownLatch(1);

    LeaderElection first = new LeaderElection(client, FAST, "first", firstLeads::countDown, firstStopped::countDown);
    assertTrue(firstLeads.await(10, TimeUnit.SECONDS));
    Lease lease = client.leases().inNamespace("autohealer").withName("healer-lock").get();
    assertEquals("first", lease.getSpec().getHolderIdentity());

    try (LeaderElection second = new LeaderElection(client, FAST, "second", secondLeads::countDown, () -> {})) {
      assertEquals(1, secondLeads.getCount());
      first.close();
      assertTrue(firstStopped.await(10, TimeUnit.SECONDS));
      assertTrue(secondLeads.await(10, TimeUnit.SECONDS));
    }
  }
}
