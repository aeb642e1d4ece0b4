package io.autohealer.detector;

import java.time.Duration;
import java.time.Instant;

/**
 * One full pass of the detector over the informer's cache (each {@code monitor-interval}, or
 * {@link Detector#passNow()}).
 *
 * @param at when the pass started (detector clock)
 * @param apiReadable false when the Node watch was down: nothing was judged, the health is UNKNOWN
 * @param nodes nodes in the cache (0 when not readable)
 * @param healthy nodes whose checks all pass
 * @param pending nodes that pass now but fail at a known time unless they change
 * @param unhealthy nodes that failed a check
 * @param unknown nodes a check could not judge (and none failed)
 * @param ignored nodes not checked: young, their role's monitor off, no checks, no conditions
 * @param wallTime how long the pass took
 * @param cpuNanos CPU time of the detector's thread during the pass, -1 if the JVM cannot tell
 */
public record PassSummary(
    Instant at,
    boolean apiReadable,
    int nodes,
    int healthy,
    int pending,
    int unhealthy,
    int unknown,
    int ignored,
    Duration wallTime,
    long cpuNanos) {}
