/**
 * The simulated cluster's Kubernetes API, kubelets and workloads.
 *
 * <pre>{@code
 * CloudWorld world = new CloudWorld(new SimTiming(60));
 * try (KubernetesSimulator api = KubernetesSimulator.start(0);           // 0: a free port
 *      SimulatedKubelets kubelets = new SimulatedKubelets(world, api.client()).start();
 *      NodeAwaiter nodes = new NodeAwaiter(api.client())) {
 *   api.kubeletsRunning(kubelets::running);                             // pods wait for live kubelets
 *   api.writeKubeconfig(Path.of("target/sandbox/kubeconfig"));           // for worker and detector
 *   nodes.awaitReady(3, Duration.ofSeconds(30));
 *   try (SimulatedWorkloads workloads =
 *       new SimulatedWorkloads(api, world.timing(), SimulatedWorkloads.Options.defaults()).start()) {
 *     workloads.awaitSettled(Duration.ofSeconds(30));                    // web, db, DaemonSet, mirror pods
 *     kubelets.breakNode("k8s-node-1", NodeFault.KUBELET_STOPPED);
 *     nodes.awaitReadyStatus("k8s-node-1", "Unknown", Duration.ofSeconds(30));
 *   }
 * }
 * }</pre>
 *
 * Beyond fabric8's CRUD mock, the API serves the Eviction API with PodDisruptionBudgets, graceful
 * pod deletion that waits for the node's kubelet ({@link
 * io.autohealer.simulator.kubernetes.PodTerminations}), and pod lists by {@code spec.nodeName}.
 * Other processes connect with {@code masterUrl=http://127.0.0.1:<port>} or the kubeconfig; the
 * server checks no credentials. {@link io.autohealer.simulator.kubernetes.ApiCallLog} records the
 * calls of other clients as RBAC names them.
 */
package io.autohealer.simulator.kubernetes;
