package io.autohealer.worker.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openstack4j.api.types.ServiceType;

/**
 * The Heat calls of a master repair. openstack4j can read stacks but has only PUT for an update,
 * which needs the template; Heat's PATCH with {@code {}} updates the stack with its existing
 * template and parameters, rebuilding what is marked unhealthy (what the Go healer sends). The
 * reads go through here too, so that every error names the call.
 */
public final class HeatApi extends JsonApi {

  public HeatApi() {
    super(ServiceType.ORCHESTRATION);
  }

  /**
   * The stack by name or id (Heat answers {@code /stacks/{x}} with a 302 to {@code
   * /stacks/{name}/{id}}, which the connector follows); empty when Heat does not know it.
   */
  public Optional<HeatStack> stack(String nameOrId) {
    String call = "Heat GET /stacks/" + nameOrId;
    Reply reply = send(call, get(Void.class, uri("/stacks/%s", nameOrId)));
    if (reply.status() == 404) {
      return Optional.empty();
    }
    expect(call, reply, 200);
    JsonNode stack = reply.body().path("stack");
    if (!stack.isObject() || !stack.hasNonNull("id")) {
      throw new OpenStackApiException(call, reply.status(), "unexpected answer: no stack in " + reply.body());
    }
    return Optional.of(new HeatStack(stack.path("id").asText(), stack.path("stack_name").asText(),
        stack.path("stack_status").asText(""), stack.path("stack_status_reason").asText(null)));
  }

  /** Every resource of the stack down to {@code nestedDepth} levels of nested stacks. */
  public List<HeatResource> resources(HeatStack stack, int nestedDepth) {
    String call = "Heat GET /stacks/" + stack.path() + "/resources?nested_depth=" + nestedDepth;
    Reply reply = send(call, get(Void.class, uri("/stacks/%s/%s/resources", stack.name(), stack.id()))
        .param("nested_depth", nestedDepth));
    expect(call, reply, 200);
    List<HeatResource> resources = new ArrayList<>();
    for (JsonNode row : reply.body().path("resources")) {
      String[] owner = owningStack(row, stack);
      resources.add(new HeatResource(
          row.path("resource_name").asText(), text(row, "physical_resource_id"),
          row.path("resource_type").asText(), row.path("resource_status").asText(""),
          text(row, "resource_status_reason"), owner[0], owner[1]));
    }
    return resources;
  }

  /** Marks a resource of a (nested) stack unhealthy, so that the next stack update replaces it. */
  public void markUnhealthy(String stackName, String stackId, String resource, String reason) {
    String call = "Heat PATCH /stacks/" + stackName + "/" + stackId + "/resources/" + resource
        + " mark_unhealthy";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("mark_unhealthy", true);
    body.put("resource_status_reason", reason);
    Reply reply = send(call, patch(Void.class, uri("/stacks/%s/%s/resources/%s", stackName, stackId, resource))
        .json(write(body)));
    expect(call, reply, 200);
  }

  /**
   * Updates the stack with its existing template and parameters ({@code PATCH {}}); throws unless
   * Heat accepted it (202). Accepted is not done: the update runs asynchronously.
   */
  public void update(HeatStack stack) {
    String call = "Heat PATCH /stacks/" + stack.path();
    // OkHttp refuses a PATCH without a body: send the empty object explicitly.
    Reply reply = send(call, patch(Void.class, uri("/stacks/%s/%s", stack.name(), stack.id())).json("{}"));
    expect(call, reply, 202);
  }

  /**
   * The stack holding a resource, from its {@code stack} link (the Go healer takes the last two
   * path segments of the non-self link): {name, id}.
   */
  private static String[] owningStack(JsonNode row, HeatStack top) {
    String href = null;
    for (JsonNode link : row.path("links")) {
      String rel = link.path("rel").asText("");
      if (rel.equals("stack")) {
        href = link.path("href").asText(null);
        break;
      }
      if (!rel.equals("self") && href == null) {
        href = link.path("href").asText(null);
      }
    }
    if (href == null) {
      return new String[] {top.name(), top.id()};
    }
    String path = URI.create(href).getPath().replaceAll("/+$", "");
    String[] segments = path.split("/");
    for (int i = segments.length - 3; i >= 0; i--) {
      if (segments[i].equals("stacks")) {
        return new String[] {segments[i + 1], segments[i + 2]};
      }
    }
    return new String[] {segments[segments.length - 2], segments[segments.length - 1]};
  }

  private static String text(JsonNode row, String field) {
    JsonNode value = row.path(field);
    return value.isNull() || value.isMissingNode() ? null : value.asText();
  }
}
