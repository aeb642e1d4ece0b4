package io.autohealer.simulator.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code spec.nodeName} field selector on pod lists, which the apiserver serves (kubectl drain
 * and kubelets use it) and the store does not: it answers such a list with no pods at all. The
 * requirement is taken out of the request, the rest goes to the store, and the answer is filtered.
 * Watches are left alone.
 */
final class PodFieldSelectors {
  private static final Pattern POD_LIST = Pattern.compile("^(/api/v1/(?:namespaces/[^/]+/)?pods)\\?(.*)$");
  private static final String FIELD = "spec.nodeName";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private PodFieldSelectors() {}

  /** The answer to {@code path} when it is a pod list selecting by node, else null. */
  static MockResponse list(String path, Function<String, MockResponse> store) {
    Matcher m = POD_LIST.matcher(path);
    if (!m.matches()) {
      return null;
    }
    List<String> params = new ArrayList<>();
    String node = null;
    boolean negated = false;
    for (String param : m.group(2).split("&")) {
      if (param.startsWith("watch=") && !param.equals("watch=false")) {
        return null;
      }
      if (!param.startsWith("fieldSelector=")) {
        params.add(param);
        continue;
      }
      List<String> rest = new ArrayList<>();
      for (String requirement : decode(param.substring("fieldSelector=".length())).split(",")) {
        String r = requirement.trim();
        if (r.startsWith(FIELD + "!=")) {
          node = r.substring(FIELD.length() + 2);
          negated = true;
        } else if (r.startsWith(FIELD + "==")) {
          node = r.substring(FIELD.length() + 2);
        } else if (r.startsWith(FIELD + "=")) {
          node = r.substring(FIELD.length() + 1);
        } else if (!r.isEmpty()) {
          rest.add(r);
        }
      }
      if (!rest.isEmpty()) {
        params.add("fieldSelector=" + URLEncoder.encode(String.join(",", rest), StandardCharsets.UTF_8));
      }
    }
    if (node == null) {
      return null;
    }
    String forwarded = params.isEmpty() ? m.group(1) : m.group(1) + "?" + String.join("&", params);
    MockResponse answer = store.apply(forwarded);
    if (answer.code() != 200) {
      return answer;
    }
    PodList pods = JSON.unmarshal(new String(answer.getBody().getBytes(), StandardCharsets.UTF_8), PodList.class);
    String wanted = node;
    boolean keepOthers = negated;
    pods.setItems(pods.getItems().stream().filter(p -> onNode(p, wanted) != keepOthers).toList());
    return new MockResponse().setResponseCode(200).setBody(JSON.asJson(pods));
  }

  private static boolean onNode(Pod pod, String node) {
    String actual = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return Objects.equals(node, actual == null ? "" : actual);
  }

  private static String decode(String value) {
    return URLDecoder.decode(value, StandardCharsets.UTF_8);
  }
}
