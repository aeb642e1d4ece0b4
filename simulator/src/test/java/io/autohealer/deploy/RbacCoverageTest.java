package io.autohealer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC of deploy/ against the Kubernetes calls the code really makes, recorded at the
 * simulated API server ({@link KubernetesCallRecordings}): every call of the worker and of the
 * detector must be allowed to that process's ServiceAccount, and every verb on every resource that
 * a rule grants must be used by some call (least privilege). A new call in the code without a rule,
 * or a rule the code stopped needing, fails here with the exact call or grant.
 */
class RbacCoverageTest {
  @TempDir static Path scratch;
  private static List<HasMetadata> objects;

  @BeforeAll
  static void render() {
    objects = Kustomize.render("base", scratch);
  }

  @Test
  void workerCallsAreExactlyWhatItsRbacAllows() {
    check("worker", KubernetesCallRecordings.worker());
  }

  @Test
  void detectorCallsAreExactlyWhatItsRbacAllows(@TempDir Path work) throws Exception {
    check("detector", KubernetesCallRecordings.detector(work));
  }

  @Test
  void noWildcardsAndNoSecretsAnywhere() {
    for (Grant grant : grants(objects, null)) {
      PolicyRule r = grant.rule();
      for (List<String> values : List.of(r.getVerbs(), r.getResources(), r.getApiGroups())) {
        assertEquals(false, values.contains("*"), grant + " uses a wildcard");
      }
      assertEquals(false, r.getResources().contains("secrets"), grant + " grants secrets");
      assertEquals(List.of(), r.getNonResourceURLs(), grant + " grants non-resource URLs");
    }
  }

  private static void check(String component, List<ApiCall> calls) {
    ServiceAccount account = of(ServiceAccount.class).stream()
        .filter(a -> component.equals(a.getMetadata().getLabels().get("app.kubernetes.io/component")))
        .findFirst().orElseThrow();
    List<Grant> grants = grants(objects, account);

    Set<String> denied = new TreeSet<>();
    Map<String, Boolean> used = new LinkedHashMap<>();
    for (Grant grant : grants) {
      for (String key : grant.keys()) {
        used.put(key, false);
      }
    }
    for (ApiCall call : calls) {
      List<Grant> allowing = grants.stream().filter(g -> g.allows(call)).toList();
      if (allowing.isEmpty()) {
        denied.add(call.toString() + "  -> add: " + suggestion(call));
      }
      for (Grant grant : allowing) {
        used.put(grant.key(call), true);
      }
    }
    assertEquals(Set.of(), denied, component + ": calls its RBAC does not allow (ServiceAccount "
        + account.getMetadata().getName() + "); calls recorded: " + new TreeSet<>(calls.stream().map(ApiCall::toString).toList()));
    List<String> unused = used.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    assertEquals(List.of(), unused, component + ": granted but never called (remove, or exercise it in KubernetesCallRecordings)");
  }

  private static String suggestion(ApiCall call) {
    return (call.namespace() == null ? "ClusterRole" : "Role in " + call.namespace())
        + " rule {apiGroups: [\"" + call.group() + "\"], resources: [\"" + call.ruleResource() + "\"], verbs: [\""
        + call.verb() + "\"]}";
  }

  /** A rule as it applies to one ServiceAccount: everywhere (ClusterRoleBinding) or in one namespace. */
  record Grant(String source, String namespace, PolicyRule rule) {
    boolean allows(ApiCall call) {
      if (namespace != null && !namespace.equals(call.namespace())) {
        return false;
      }
      if (!rule.getApiGroups().contains(call.group()) || !rule.getResources().contains(call.ruleResource())
          || !rule.getVerbs().contains(call.verb())) {
        return false;
      }
      // resourceNames restrict requests that name an object; create never names one to RBAC.
      List<String> names = rule.getResourceNames();
      return names == null || names.isEmpty() || (call.name() != null && !call.verb().equals("create")
          && names.contains(call.name()));
    }

    String key(ApiCall call) {
      return source + ": " + call.verb() + " " + call.ruleResource() + names();
    }

    List<String> keys() {
      List<String> keys = new ArrayList<>();
      for (String verb : rule.getVerbs()) {
        for (String resource : rule.getResources()) {
          keys.add(source + ": " + verb + " " + resource + names());
        }
      }
      return keys;
    }

    private String names() {
      return rule.getResourceNames() == null || rule.getResourceNames().isEmpty() ? "" : " " + rule.getResourceNames();
    }

    @Override
    public String toString() {
      return source + " " + rule.getApiGroups() + " " + rule.getResources() + " " + rule.getVerbs();
    }
  }

  /** The rules bound to {@code account}, or every rule of every role when it is null. */
  static List<Grant> grants(List<HasMetadata> objects, ServiceAccount account) {
    List<Grant> grants = new ArrayList<>();
    for (ClusterRoleBinding binding : of(objects, ClusterRoleBinding.class)) {
      if (account == null || bound(binding.getSubjects(), account)) {
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        ClusterRole role = named(objects, ClusterRole.class, binding.getRoleRef().getName(), null);
        role.getRules().forEach(r -> grants.add(new Grant("ClusterRole " + role.getMetadata().getName(), null, r)));
      }
    }
    for (RoleBinding binding : of(objects, RoleBinding.class)) {
      if (account == null || bound(binding.getSubjects(), account)) {
        String ns = binding.getMetadata().getNamespace();
        if (binding.getRoleRef().getKind().equals("ClusterRole")) {
          ClusterRole role = named(objects, ClusterRole.class, binding.getRoleRef().getName(), null);
          role.getRules().forEach(r -> grants.add(new Grant("ClusterRole " + role.getMetadata().getName() + " in " + ns, ns, r)));
        } else {
          Role role = named(objects, Role.class, binding.getRoleRef().getName(), ns);
          role.getRules().forEach(r -> grants.add(new Grant("Role " + ns + "/" + role.getMetadata().getName(), ns, r)));
        }
      }
    }
    return grants;
  }

  private static boolean bound(List<Subject> subjects, ServiceAccount account) {
    return subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
        && s.getName().equals(account.getMetadata().getName())
        && s.getNamespace().equals(account.getMetadata().getNamespace()));
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name, String namespace) {
    return DeployManifestsTest.of(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
            + (namespace == null ? "" : " in " + namespace) + ": a binding points at nothing"));
  }

  private static <T extends HasMetadata> List<T> of(Class<T> type) {
    return DeployManifestsTest.of(objects, type);
  }

  private static <T extends HasMetadata> List<T> of(List<HasMetadata> objects, Class<T> type) {
    return DeployManifestsTest.of(objects, type);
  }
}
