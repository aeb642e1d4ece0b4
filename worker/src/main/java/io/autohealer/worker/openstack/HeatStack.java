package io.autohealer.worker.openstack;

/**
 * A Heat stack as {@code GET /stacks/{name}/{id}} shows it.
 *
 * @param status e.g. CREATE_COMPLETE, UPDATE_IN_PROGRESS, UPDATE_FAILED
 */
public record HeatStack(String id, String name, String status, String statusReason) {

  public HeatStack {
    status = status == null ? "" : status;
  }

  public boolean inProgress() {
    return status.endsWith("_IN_PROGRESS");
  }

  public boolean failed() {
    return status.endsWith("_FAILED");
  }

  /**
   * What the gate refuses: the Go healer's Enabled() refuses UPDATE_IN_PROGRESS and UPDATE_FAILED
   * (a failed update waits for a person); any other action in progress (a check, a rollback, a
   * delete) is refused too, as a repair would collide with it.
   */
  public boolean blocksRepairs() {
    return inProgress() || status.equals("UPDATE_FAILED");
  }

  /** "name/id", the path Heat addresses it by. */
  public String path() {
    return name + "/" + id;
  }
}
