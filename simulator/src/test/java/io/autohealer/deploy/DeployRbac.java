package io.autohealer.deploy;

import io.autohealer.simulator.realkube.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The identities and RBAC of {@code deploy/base}, rendered by the real kustomize, applied to a real
 * API server: the Namespace, the worker's and detector's ServiceAccounts, their (Cluster)Roles and
 * bindings, and nothing else (no Deployments: nothing would run them here).
 */
public final class DeployRbac {
  public static final String NAMESPACE = "magnum-autohealer";
  public static final String WORKER = "autohealer-worker";
  public static final String DETECTOR = "autohealer-detector";
  private static final List<String> KINDS =
      List.of("Namespace", "ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding");

  private DeployRbac() {}

  /** Renders deploy/base in {@code scratch}, creates its RBAC objects, and returns them. */
  public static List<HasMetadata> apply(RealKubeApiServer kube, Path scratch) {
    List<HasMetadata> objects = Kustomize.render("base", scratch).stream()
        .filter(o -> KINDS.contains(o.getKind()))
        .sorted(Comparator.comparingInt(o -> KINDS.indexOf(o.getKind())))
        .toList();
    KubernetesClient admin = kube.adminClient();
    for (HasMetadata object : objects) {
      admin.resource(object).create();
    }
    return objects;
  }
}
