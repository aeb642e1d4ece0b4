package io.autohealer.config;

/**
 * One entry of {@code healthcheck.master} or {@code healthcheck.worker}.
 *
 * @param type the plugin type, in its registered spelling (e.g. {@code NodeCondition})
 * @param params the plugin's params
 * @param path the entry's key path, e.g. {@code healthcheck.worker[0]}, for messages
 */
public record HealthCheckSpec(String type, HealthCheckParams params, String path) {}
