package io.autohealer.config;

/**
 * The {@code temporal} section (not in the Go service). Environment variables
 * {@code TEMPORAL_ADDRESS} and {@code TEMPORAL_NAMESPACE} override the file.
 *
 * @param address {@code temporal.address}: frontend {@code host:port}, default {@value #DEFAULT_ADDRESS}
 * @param namespace {@code temporal.namespace}, default {@value #DEFAULT_NAMESPACE}
 */
public record TemporalSettings(String address, String namespace) {
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  public static TemporalSettings defaults() {
    return new TemporalSettings(DEFAULT_ADDRESS, DEFAULT_NAMESPACE);
  }
}
