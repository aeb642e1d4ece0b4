package io.autohealer.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  private static final LeaderElection.Timing FAST =
      new LeaderElection.Timing(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));

  static KubernetesClient client;

  @Test
  void oneReplicaLeadsAndTheOtherTakesOverWhenItStops() throws InterruptedException {
    CountDownLatch firstLeads = new CountDownLatch(1);
    CountDownLatch firstStopped = new CountDownLatch(1);
    CountDownLatch secondLeads = new CountDownLatch(1);

    LeaderElection first = new LeaderElection(client, "first", FAST, firstLeads::countDown, firstStopped::countDown);
    assertTrue(firstLeads.await(10, TimeUnit.SECONDS));
    Lease lease = client.leases().inNamespace("kube-system").withName("magnum-auto-healer").get();
    assertEquals("first", lease.getSpec().getHolderIdentity());

    try (LeaderElection second = new LeaderElection(client, "second", FAST, secondLeads::countDown, () -> {})) {
      assertEquals(1, secondLeads.getCount());
      first.close();
      assertTrue(firstStopped.await(10, TimeUnit.SECONDS));
      assertTrue(secondLeads.await(10, TimeUnit.SECONDS));
    }
  }
}
