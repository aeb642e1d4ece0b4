package io.autohealer.bench;

import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * A cluster of kwok nodes on a real kube-apiserver: 3 masters and the rest workers, labelled as a
 * Magnum cluster's nodes are, each annotated so that the test bed's kwok keeps it Ready and its Lease
 * renewed.
 */
final class KwokNodes {
  static final int MASTERS = 3;
  private static final int CREATORS = 16;
  private static final int PAGE = 500;

  private KwokNodes() {}

  static String name(int i) {
    return i < MASTERS ? "bench-master-" + i : "bench-node-" + (i - MASTERS);
  }

  /** Creates nodes 0 to {@code size - 1}, {@value #CREATORS} at a time. */
  static void create(KubernetesClient admin, int size) throws Exception {
    ExecutorService creators = Executors.newFixedThreadPool(CREATORS);
    try {
      List<Future<?>> created = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Node node = node(i);
        created.add(creators.submit(() -> admin.nodes().resource(node).create()));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      creators.shutdownNow();
    }
  }

  private static Node node(int i) {
    boolean master = i < MASTERS;
    String name = name(i);
    NodeBuilder node = new NodeBuilder().withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/hostname", name)
        .addToLabels("magnum.openstack.org/role", master ? "master" : "worker")
        .addToLabels("magnum.openstack.org/nodegroup", master ? "default-master" : "default-worker")
        .addToLabels("type", "kwok")
        .withAnnotations(Map.of(RealKubeApiServer.KWOK_ANNOTATION, RealKubeApiServer.KWOK_ANNOTATION_VALUE))
        .endMetadata()
        .withNewSpec().withProviderID("openstack:///" + UUID.nameUUIDFromBytes(name.getBytes())).endSpec();
    if (master) {
      node.editMetadata().addToLabels("node-role.kubernetes.io/master", "").endMetadata();
    }
    return node.build();
  }

  /** Waits until {@code size} Nodes are Ready (kwok writes their status), listing in pages. */
  static void awaitReady(KubernetesClient admin, int size, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int ready = 0;
    while (true) {
      ready = countReady(admin);
      if (ready >= size) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("only %d of %d kwok nodes Ready after %s".formatted(ready, size, timeout));
      }
      Thread.sleep(1_000);
    }
  }

  private static int countReady(KubernetesClient admin) {
    int ready = 0;
    String next = null;
    do {
      NodeList page = admin.nodes().list(new ListOptionsBuilder().withLimit((long) PAGE).withContinue(next).build());
      for (Node node : page.getItems()) {
        if (isReady(node)) {
          ready++;
        }
      }
      next = page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return ready;
  }

  private static boolean isReady(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    for (NodeCondition c : node.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }
}
