package io.autohealer.worker.openstack;

import io.temporal.failure.ApplicationFailure;
import org.openstack4j.api.exceptions.ResponseException;

/**
 * Turns OpenStack errors into Temporal failures: transient ones (no answer, 5xx, 408, 409, 429)
 * are retried with backoff, every other one fails the step at once. The types are stable names a
 * workflow or an operator can match on.
 */
final class CloudFailures {
  static final String UNAVAILABLE = "OpenStackUnavailable";
  static final String CONFLICT = "OpenStackConflict";
  static final String THROTTLED = "OpenStackThrottled";
  static final String REJECTED = "OpenStackRejected";
  static final String MISCONFIGURED = "OpenStackMisconfigured";
  static final String CLUSTER_NOT_FOUND = "ClusterNotFound";
  static final String NODEGROUP_NOT_FOUND = "NodegroupNotFound";
  static final String CLUSTER_BUSY = "ClusterBusy";
  static final String CLUSTER_UPDATE_FAILED = "ClusterUpdateFailed";
  static final String SERVER_BUSY = "ServerBusy";
  static final String STACK_NOT_FOUND = "StackNotFound";
  static final String STACK_BUSY = "StackBusy";
  static final String NOT_IN_STACK = "ServerNotInStack";

  private CloudFailures() {}

  static ApplicationFailure of(OpenStackApiException e) {
    String type = switch (e.status()) {
      case 409 -> CONFLICT;
      case 429 -> THROTTLED;
      default -> e.isTransient() ? UNAVAILABLE : REJECTED;
    };
    return e.isTransient()
        ? ApplicationFailure.newFailureWithCause(e.getMessage(), type, null)
        : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), type, null);
  }

  /** An openstack4j exception from a call described by {@code call}. */
  static ApplicationFailure of(String call, ResponseException e) {
    return of(new OpenStackApiException(call, e.getStatus(), e.getMessage()));
  }

  static ApplicationFailure of(MissingServiceException e) {
    return ApplicationFailure.newNonRetryableFailure("OpenStack is not usable: " + e.getMessage(), MISCONFIGURED);
  }

  static ApplicationFailure permanent(String type, String message) {
    return ApplicationFailure.newNonRetryableFailure(message, type);
  }

  static ApplicationFailure transientFailure(String type, String message) {
    return ApplicationFailure.newFailure(message, type);
  }
}
