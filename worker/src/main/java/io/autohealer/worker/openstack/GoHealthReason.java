package io.autohealer.worker.openstack;

import io.autohealer.workflows.HealthReport;
import io.autohealer.workflows.HealthReport.UnhealthyNode;
import io.autohealer.workflows.NodeRole;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Magnum's {@code health_status_reason} in the Go service's format: Go's {@code json.Marshal} of a
 * {@code map[string]string} (keys sorted, no spaces, Go's escaping) with every {@code "} replaced by
 * {@code '}, which Magnum reads as a Python dict literal:
 *
 * <ul>
 *   <li>HEALTHY: {@code {'api':'ok','nodes':'ok','updated_at':'<time>'}}, exactly as Go;
 *   <li>UNHEALTHY: {@code '<node>.<FailedCheck>':'error'} for every unhealthy node, <b>masters
 *       too</b> (Go lists only workers when any is unhealthy), plus {@code 'api':'error'} when a
 *       master is unhealthy (as Go does when only masters are), plus {@code updated_at};
 *   <li>UNKNOWN (no Go equivalent: Go says HEALTHY when it cannot list Nodes): {@code
 *       {'api':'unknown','nodes':'unknown','updated_at':'<time>'}}.
 * </ul>
 *
 * {@code updated_at} is the report's time in Go's {@code time.Time.String()} layout, in UTC, e.g.
 * {@code 2026-11-25 10:04:05.123456789 +0000 UTC}, without the monotonic-clock suffix ({@code
 * m=+12.3}) that Go's value carries, which means nothing outside the Go process.
 */
public final class GoHealthReason {
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private GoHealthReason() {}

  public static String format(HealthReport report) {
    Map<String, String> reason = new TreeMap<>();
    switch (report.status()) {
      case HEALTHY -> {
        reason.put("api", "ok");
        reason.put("nodes", "ok");
      }
      case UNKNOWN -> {
        reason.put("api", "unknown");
        reason.put("nodes", "unknown");
      }
      case UNHEALTHY -> {
        for (UnhealthyNode node : report.unhealthyNodes()) {
          reason.put(node.name() + "." + node.failedCheck(), "error");
          if (node.role() == NodeRole.MASTER) {
            reason.put("api", "error");
          }
        }
      }
    }
    reason.put("updated_at", goTime(report.reportedAt()));
    return marshal(reason).replace('"', '\'');
  }

  /** Go's {@code time.Time.String()} of an instant in UTC: fraction without trailing zeros. */
  static String goTime(Instant at) {
    StringBuilder text = new StringBuilder(SECONDS.format(at));
    int nanos = at.getNano();
    if (nanos != 0) {
      String fraction = String.format("%09d", nanos).replaceFirst("0+$", "");
      text.append('.').append(fraction);
    }
    return text.append(" +0000 UTC").toString();
  }

  /** Go's {@code json.Marshal} of a {@code map[string]string}; the map is sorted already. */
  private static String marshal(Map<String, String> map) {
    StringBuilder json = new StringBuilder("{");
    map.forEach((key, value) -> {
      if (json.length() > 1) {
        json.append(',');
      }
      quote(json, key);
      json.append(':');
      quote(json, value);
    });
    return json.append('}').toString();
  }

  /** Go's encoding/json string escaping, HTML-safe as json.Marshal does by default. */
  private static void quote(StringBuilder json, String s) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> json.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
