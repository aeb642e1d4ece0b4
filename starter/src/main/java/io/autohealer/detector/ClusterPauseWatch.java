package io.autohealer.detector;

import io.autohealer.config.ClusterPause;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the cluster-wide pause: the annotation {@value ClusterPause#ANNOTATION} of the ConfigMap
 * {@value ClusterPause#CONFIG_MAP} in {@code control-namespace}, through an informer on that one
 * ConfigMap (no read per decision). A missing ConfigMap means not paused; a watch that is down
 * means unknown, and the detector then starts nothing. Needs RBAC {@code get}, {@code list} and
 * {@code watch} on ConfigMaps in that namespace.
 */
final class ClusterPauseWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterPauseWatch.class);

  private final KubernetesClient kubernetes;
  private final String namespace;
  private final Runnable onChange;
  private volatile SharedIndexInformer<ConfigMap> informer;
  private volatile Optional<ClusterPause> last = Optional.empty();

  /**
   * @param onChange runs (on the informer's thread) whenever the pause is set, changed or lifted
   */
  ClusterPauseWatch(KubernetesClient kubernetes, String namespace, Runnable onChange) {
    this.kubernetes = kubernetes;
    this.namespace = namespace;
    this.onChange = onChange;
  }

  String location() {
    return namespace + "/" + ClusterPause.CONFIG_MAP;
  }

  /**
   * Starts watching and returns once the ConfigMap (or its absence) is known.
   *
   * @throws IllegalStateException when it cannot be listed and watched (e.g. RBAC)
   */
  void start(Duration timeout) {
    SharedIndexInformer<ConfigMap> watch =
        kubernetes.configMaps().inNamespace(namespace).withName(ClusterPause.CONFIG_MAP).runnableInformer(0);
    watch.addEventHandler(new Handler());
    informer = watch;
    try {
      watch.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      watch.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot watch the ConfigMap " + location() + " (the cluster-wide pause): " + cause, cause);
    } catch (InterruptedException e) {
      watch.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the ConfigMap " + location(), e);
    }
    changed();
  }

  /** Whether the watch is up, so that {@link #current()} can be trusted. */
  boolean watching() {
    SharedIndexInformer<ConfigMap> watch = informer;
    return watch != null && watch.isWatching();
  }

  /** The pause, from the informer's cache. */
  Optional<ClusterPause> current() {
    SharedIndexInformer<ConfigMap> watch = informer;
    if (watch == null) {
      return Optional.empty();
    }
    return watch.getStore().list().stream()
        .filter(cm -> ClusterPause.CONFIG_MAP.equals(cm.getMetadata().getName()))
        .findFirst()
        .flatMap(ClusterPause::fromConfigMap);
  }

  private void changed() {
    Optional<ClusterPause> now = current();
    if (now.equals(last)) {
      return;
    }
    last = now;
    if (now.isPresent()) {
      log.warn("the healer is {} (ConfigMap {}): no new repair starts until it is resumed", now.get().describe(), location());
    } else {
      log.info("the healer is not paused (ConfigMap {})", location());
    }
    onChange.run();
  }

  @Override
  public void close() {
    SharedIndexInformer<ConfigMap> watch = informer;
    if (watch != null) {
      watch.close();
    }
  }

  private final class Handler implements ResourceEventHandler<ConfigMap> {
    @Override
    public void onAdd(ConfigMap configMap) {
      changed();
    }

    @Override
    public void onUpdate(ConfigMap oldConfigMap, ConfigMap newConfigMap) {
      changed();
    }

    @Override
    public void onDelete(ConfigMap configMap, boolean deletedFinalStateUnknown) {
      changed();
    }
  }
}
