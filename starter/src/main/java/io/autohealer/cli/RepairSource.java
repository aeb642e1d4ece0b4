package io.autohealer.cli;

import io.autohealer.cli.RepairFinder.VisibilityUnsupportedException;
import java.util.List;

/** How {@code repairs list} (and {@code --all}) find the repairs of a cluster. */
public enum RepairSource {
  /** A visibility query when the server has them, else the Node list. */
  auto,
  /** Only a visibility query (fails on the Java test server). */
  visibility,
  /** Only the Node list through Kubernetes. */
  nodes;

  /** What was found, and how. */
  record Found(RepairSource source, String how, List<RepairSummary> repairs) {}

  Found find(Session session, RepairFinder.Request request) {
    if (this != nodes) {
      VisibilityRepairFinder visibility = new VisibilityRepairFinder(session.temporal());
      try {
        return new Found(RepairSource.visibility, visibility.describe(request), visibility.find(request));
      } catch (VisibilityUnsupportedException e) {
        if (this == RepairSource.visibility) {
          throw new CliFailure(e.getMessage() + "; use --source nodes (or auto) with this server", e);
        }
      } catch (RuntimeException e) {
        throw session.repairs().temporalFailure("listing repairs", e);
      }
    }
    NodeListRepairFinder byNodes = new NodeListRepairFinder(session::kubernetes, session.repairs());
    return new Found(RepairSource.nodes, byNodes.describe(request), byNodes.find(request));
  }
}
