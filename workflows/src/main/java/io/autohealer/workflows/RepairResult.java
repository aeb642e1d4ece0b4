package io.autohealer.workflows;

import java.time.Duration;

/**
 * The one output of {@link RepairNodeWorkflow}.
 *
 * @param outcome how the repair ended
 * @param message what happened, for people
 * @param replacementNodes Ready nodes of the nodegroup once a replacement joined, empty otherwise
 * @param duration workflow time from start to end
 */
public record RepairResult(
    RepairOutcome outcome, String message, java.util.List<String> replacementNodes, Duration duration) {}
