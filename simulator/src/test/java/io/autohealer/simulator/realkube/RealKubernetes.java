package io.autohealer.simulator.realkube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test of the real-Kubernetes lane: it runs against kube-apiserver and etcd built by {@code
 * bin/tools/install-kube-testbed}, with kwok.
 *
 * <p>Without the build the test is skipped, with one line on stderr saying how to build it; with
 * {@code CI=true} it is never skipped but fails. A test method may take a {@link
 * RealKubeApiServer} parameter: one control plane per test class (kwok on), started on first use,
 * its files (certificates, kubeconfig, etcd data, logs) under {@code target/real-kube/}, stopped
 * after the class. Tests of one class share it, so each should use names of its own.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(RealKubernetes.TAG)
@ExtendWith(RealKubernetesExtension.class)
public @interface RealKubernetes {
  /** The JUnit tag of the lane, to select it ({@code -Dgroups}) or leave it out ({@code -DexcludedGroups}). */
  String TAG = "real-kubernetes";
}
