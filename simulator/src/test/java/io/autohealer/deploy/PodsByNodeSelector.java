package io.autohealer.deploy;

import io.autohealer.simulator.kubernetes.ApiInterceptor;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers {@code GET /api/v1/pods?fieldSelector=spec.nodeName=<node>} (the drain's list) from the
 * pods this test made, minus those evicted or deleted since: fabric8's CRUD mock, under the
 * simulated API server, answers that field selector with no pods at all. Only for recording which
 * calls a drain makes; once the simulator filters by {@code spec.nodeName} this is redundant
 * (it then answers the same).
 */
final class PodsByNodeSelector implements ApiInterceptor {
  private static final Pattern LIST = Pattern.compile("^/api/v1/pods\\?(.*)$");
  private static final Pattern ONE_POD = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)(/eviction)?(\\?.*)?$");

  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final KubernetesSerialization json = new KubernetesSerialization();

  void add(Pod pod) {
    pods.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), pod);
  }

  @Override
  public MockResponse intercept(RecordedRequest request) {
    if (ApiInterceptor.fromSimulator(request)) {
      return null;
    }
    String path = request.getPath();
    Matcher one = ONE_POD.matcher(path);
    boolean removes = (request.getMethod().equals("POST") && one.matches() && one.group(3) != null)
        || (request.getMethod().equals("DELETE") && one.matches() && one.group(3) == null);
    if (removes) {
      pods.remove(one.group(1) + "/" + one.group(2));
      return null;
    }
    Matcher list = LIST.matcher(path);
    if (request.getMethod().equals("GET") && list.matches()) {
      String query = URLDecoder.decode(list.group(1), StandardCharsets.UTF_8);
      Matcher node = Pattern.compile("fieldSelector=spec\\.nodeName=([^&,]+)").matcher(query);
      if (node.find() && !query.contains("watch=true")) {
        List<Pod> onNode = pods.values().stream()
            .filter(p -> node.group(1).equals(p.getSpec().getNodeName()))
            .toList();
        return new MockResponse().setResponseCode(200)
            .setHeader("Content-Type", "application/json")
            .setBody(json.asJson(new PodListBuilder().withNewMetadata().withResourceVersion("1").endMetadata()
                .withItems(onNode).build()));
      }
    }
    return null;
  }
}
