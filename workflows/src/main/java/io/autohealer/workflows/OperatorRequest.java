package io.autohealer.workflows;

/**
 * The one input of every operator signal (pause, resume, approve, cancel).
 *
 * @param by who asks, for the history (e.g. the CLI user)
 * @param reason why, for people; required for cancel
 */
public record OperatorRequest(String by, String reason) {}
