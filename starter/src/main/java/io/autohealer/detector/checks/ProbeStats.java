package io.autohealer.detector.checks;

/**
 * Counters of one Endpoint check's probes since it started (benchmarks, metrics).
 *
 * @param submitted probes queued
 * @param completed probes finished, whatever their outcome
 * @param ok probes whose every endpoint answered an ok code
 * @param failed probes that failed (refused, timed out, bad code, TLS)
 * @param timedOut of {@code failed}, those that got no answer within the timeout
 * @param cannotJudge probes not made (no token to send)
 * @param running probes running now
 * @param queued probes waiting for a free slot
 */
public record ProbeStats(
    long submitted, long completed, long ok, long failed, long timedOut, long cannotJudge, int running, int queued) {}
