/**
 * The simulated cluster's Kubernetes API and kubelets.
 *
 * <pre>{@code
 * CloudWorld world = new CloudWorld(new SimTiming(60));
 * try (KubernetesSimulator api = KubernetesSimulator.start(0);           // 0: a free port
 *      SimulatedKubelets kubelets = new SimulatedKubelets(world, api.client()).start();
 *      NodeAwaiter nodes = new NodeAwaiter(api.client())) {
 *   api.writeKubeconfig(Path.of("target/sandbox/kubeconfig"));           // for worker and detector
 *   nodes.awaitReady(3, Duration.ofSeconds(30));
 *   kubelets.breakNode("k8s-node-1", NodeFault.KUBELET_STOPPED);
 *   nodes.awaitReadyStatus("k8s-node-1", "Unknown", Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * Other processes connect with {@code masterUrl=http://127.0.0.1:<port>} or the kubeconfig; the
 * server checks no credentials.
 */
package io.autohealer.simulator.kubernetes;
