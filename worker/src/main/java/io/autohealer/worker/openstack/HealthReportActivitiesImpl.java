package io.autohealer.worker.openstack;

import io.autohealer.workflows.activities.HealthReportActivities;
import java.util.Objects;
import org.openstack4j.api.exceptions.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link HealthReportActivities} on Magnum ({@link MagnumApi}), through the worker's own session. */
public final class HealthReportActivitiesImpl implements HealthReportActivities {
  private static final Logger log = LoggerFactory.getLogger(HealthReportActivitiesImpl.class);

  private final OpenStackSession session;
  private final MagnumApi magnum = new MagnumApi();

  public HealthReportActivitiesImpl(OpenStackSession session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  @Override
  public HealthReported reportHealth(ReportHealth request) {
    String status = request.report().status().name();
    String reason = GoHealthReason.format(request.report());
    try {
      session.client(); // binds the session to this thread for MagnumApi
      magnum.updateHealth(request.cluster(), status, reason);
    } catch (OpenStackApiException e) {
      throw CloudFailures.of(e);
    } catch (MissingServiceException e) {
      throw CloudFailures.of(e);
    } catch (ResponseException e) {
      throw CloudFailures.of("Magnum PATCH /clusters/" + request.cluster(), e);
    }
    log.debug("Cluster {}: health_status {} health_status_reason {}", request.cluster(), status, reason);
    return new HealthReported(status, reason);
  }
}
