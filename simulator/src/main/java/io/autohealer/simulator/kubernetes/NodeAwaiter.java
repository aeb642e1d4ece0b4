package io.autohealer.simulator.kubernetes;

import io.autohealer.worker.kubernetes.NodeConditions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Waits until the cluster's Nodes reach a state, for tests and the sandbox: an informer keeps the
 * Nodes and wakes the waiters on every change, so nothing polls.
 */
public final class NodeAwaiter implements AutoCloseable {
  private final SharedIndexInformer<Node> informer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  public NodeAwaiter(KubernetesClient client) {
    informer = client.nodes().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        signal();
      }

      @Override
      public void onUpdate(Node oldNode, Node newNode) {
        signal();
      }

      @Override
      public void onDelete(Node node, boolean deletedFinalStateUnknown) {
        signal();
      }
    });
  }

  /** The Nodes as last seen; never modify them (they are the informer's cache). */
  public List<Node> nodes() {
    return informer.getStore().list();
  }

  /** Waits until {@code condition} holds for the Nodes and returns them. */
  public List<Node> await(String description, Predicate<List<Node>> condition, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<Node> nodes = nodes();
        if (condition.test(nodes)) {
          return nodes;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("timed out after %s waiting for %s".formatted(timeout, description));
        }
        changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until at least {@code count} Nodes are Ready; returns the Ready ones. */
  public List<Node> awaitReady(int count, Duration timeout) throws TimeoutException, InterruptedException {
    await(count + " Ready nodes", nodes -> ready(nodes).size() >= count, timeout);
    return ready(nodes());
  }

  /** Waits until Node {@code name} exists and {@code condition} holds for it. */
  public Node awaitNode(String name, String description, Predicate<Node> condition, Duration timeout)
      throws TimeoutException, InterruptedException {
    await("node " + name + " " + description, nodes -> find(nodes, name).filter(condition).isPresent(), timeout);
    return find(nodes(), name).orElseThrow();
  }

  /** Waits until Node {@code name}'s Ready condition has {@code status} (True, False, Unknown). */
  public Node awaitReadyStatus(String name, String status, Duration timeout)
      throws TimeoutException, InterruptedException {
    return awaitNode(name, "Ready=" + status, n -> status.equals(NodeConditions.readyStatus(n)), timeout);
  }

  @Override
  public void close() {
    informer.close();
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static List<Node> ready(List<Node> nodes) {
    return nodes.stream().filter(NodeConditions::isReady).toList();
  }

  private static Optional<Node> find(List<Node> nodes, String name) {
    return nodes.stream().filter(n -> Objects.equals(name, n.getMetadata().getName())).findFirst();
  }
}
