/**
 * Invariants the healer must keep, checked continuously against a simulated cluster: {@link
 * io.autohealer.simulator.invariants.InvariantChecker} holds the rules (see {@link
 * io.autohealer.simulator.invariants.Invariant}), {@link
 * io.autohealer.simulator.invariants.SimulatorInvariants} feeds it from a running simulator. Each
 * breach comes with the time-ordered events that led to it.
 */
package io.autohealer.simulator.invariants;
