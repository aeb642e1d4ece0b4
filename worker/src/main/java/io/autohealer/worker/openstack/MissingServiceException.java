package io.autohealer.worker.openstack;

/** The Keystone catalog lacks a service the healer needs; a configuration problem, not transient. */
public final class MissingServiceException extends RuntimeException {
  public MissingServiceException(String message) {
    super(message);
  }
}
