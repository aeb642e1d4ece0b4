package io.autohealer.simulator.realtemporal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test of the real-Temporal lane: it runs against the Temporal CLI's dev server.
 *
 * <p>Without the CLI ({@code bin/tools/install-temporal-cli}) the test is skipped, with one line on
 * stderr saying how to install it; with {@code CI=true} it is never skipped but fails. A test
 * method may take a {@link TemporalDevServer} parameter: one server per test class, started on
 * first use with the defaults (every {@code RepairSearchAttributes} key, the Web UI on), its files
 * under {@code target/real-temporal/}, stopped after the class.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(RealTemporal.TAG)
@ExtendWith(RealTemporalExtension.class)
public @interface RealTemporal {
  /** The JUnit tag of the lane, to select it ({@code -Dgroups}) or leave it out ({@code -DexcludedGroups}). */
  String TAG = "real-temporal";
}
