package io.autohealer.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.detector.DetectorMain;
import io.autohealer.simulator.kubernetes.KubernetesSimulator;
import io.autohealer.simulator.sandbox.ChildJvm;
import io.autohealer.simulator.sandbox.EmbeddedTemporal;
import io.autohealer.worker.kubernetes.KubernetesActivitiesImpl;
import io.autohealer.workflows.NodeRole;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.activities.KubernetesActivities;
import io.autohealer.workflows.activities.KubernetesActivities.AnnotateNode;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitCsiDetach;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitNodeReady;
import io.autohealer.workflows.activities.KubernetesActivities.AwaitRejoin;
import io.autohealer.workflows.activities.KubernetesActivities.Cordon;
import io.autohealer.workflows.activities.KubernetesActivities.CountMasters;
import io.autohealer.workflows.activities.KubernetesActivities.DeleteNode;
import io.autohealer.workflows.activities.KubernetesActivities.Drain;
import io.autohealer.workflows.activities.KubernetesActivities.InspectNode;
import io.autohealer.workflows.activities.KubernetesActivities.RecordEvent;
import io.autohealer.workflows.activities.KubernetesActivities.Uncordon;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.common.RetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the worker and the detector actually ask of the Kubernetes API, recorded at the simulated
 * API server: the ground truth the deploy files' RBAC is checked against.
 */
final class KubernetesCallRecordings {
  private KubernetesCallRecordings() {}

  /**
   * Every {@link KubernetesActivities} method of the worker, in-process against the simulated API,
   * on a cluster laid out so that each takes its widest path: a drain that evicts, skips a
   * DaemonSet pod and deletes a pod stuck terminating on a NotReady node, a CSI wait that reads a
   * PersistentVolume, and so on. Fails when the interface has a method this does not call, so a
   * new activity cannot slip past the RBAC check.
   */
  static List<ApiCall> worker() {
    try (KubernetesSimulator api = KubernetesSimulator.start(0)) {
      KubernetesClient setup = api.client();
      Instant long_ago = Instant.now().minus(Duration.ofHours(1));
      setup.nodes().resource(node("m1", "True", long_ago).editMetadata()
          .addToLabels("node-role.kubernetes.io/control-plane", "").endMetadata().build()).create();
      setup.nodes().resource(node("w1", "True", long_ago).build()).create();
      setup.nodes().resource(node("w2", "False", long_ago).build()).create();
      setup.nodes().resource(node("w3", "True", long_ago).build()).create();
      PodsByNodeSelector podsByNode = new PodsByNodeSelector();
      podsByNode.add(setup.pods().inNamespace("apps").resource(pod("web-1", "w2").build()).create());
      podsByNode.add(setup.pods().inNamespace("kube-system").resource(pod("ds-1", "w2").editMetadata()
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet").withName("ds").withUid("u-ds")
          .withController(true).endOwnerReference().endMetadata().build()).create());
      // A pod whose deletion its NotReady node's kubelet will never finish: held by a finalizer here.
      setup.pods().inNamespace("apps").resource(pod("stuck-1", "w2").editMetadata()
          .addToFinalizers("example.com/hold").endMetadata().build()).create();
      setup.pods().inNamespace("apps").withName("stuck-1").delete();
      Pod stuck = setup.pods().inNamespace("apps").withName("stuck-1").get();
      assertNotNull(stuck.getMetadata().getDeletionTimestamp(), "the mock keeps a pod with a finalizer, terminating");
      podsByNode.add(stuck);
      setup.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName("pv-1").endMetadata()
          .withNewSpec().addToCapacity("storage", new Quantity("1Gi"))
          .withNewCsi().withDriver("cinder.csi.openstack.org").withVolumeHandle("vol-1").endCsi().endSpec().build())
          .create();
      setup.storage().v1().volumeAttachments().resource(new VolumeAttachmentBuilder()
          .withNewMetadata().withName("csi-1").endMetadata()
          .withNewSpec().withAttacher("cinder.csi.openstack.org").withNodeName("w2")
          .withNewSource().withPersistentVolumeName("pv-1").endSource().endSpec().build()).create();

      ApiCallRecorder recorder = new ApiCallRecorder();
      api.addInterceptor(recorder); // first: sees every request
      api.addInterceptor(podsByNode);
      Set<String> called = new TreeSet<>();
      TestActivityEnvironment env = TestActivityEnvironment.newInstance();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(api.clientConfig()).build()) {
        env.registerActivitiesImplementations(
            new KubernetesActivitiesImpl(client, new KubernetesActivitiesImpl.Settings(Duration.ZERO)));
        KubernetesActivities a = env.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setHeartbeatTimeout(Duration.ofSeconds(10))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
        Duration poll = Duration.ofMillis(50);

        called.add("inspectNode");
        assertTrue(a.inspectNode(new InspectNode("w2")).exists());
        called.add("cordon");
        assertTrue(a.cordon(new Cordon("w2")).changed());
        called.add("drainNode");
        KubernetesActivities.DrainResult drain = a.drainNode(new Drain("w2", Duration.ofSeconds(10), poll));
        assertEquals(List.of("apps/stuck-1", "apps/web-1"), drain.evicted(), drain.toString());
        assertEquals(List.of("kube-system/ds-1"), drain.skipped(), drain.toString());
        called.add("awaitCsiDetach");
        assertEquals(List.of("vol-1"),
            a.awaitCsiDetach(new AwaitCsiDetach("w2", Duration.ofMillis(300), poll)).stillAttached());
        called.add("countMasters");
        assertEquals(1, a.countMasters(new CountMasters()).total());
        called.add("annotateNode");
        assertTrue(a.annotateNode(new AnnotateNode("w2", Map.of(KubernetesActivities.REPAIR_FAILED, "test")))
            .changed());
        called.add("recordEvent");
        assertTrue(a.recordEvent(new RecordEvent("w2", "Warning", "RepairFailed", "test")).recorded());
        called.add("awaitNodeReady");
        assertTrue(a.awaitNodeReady(new AwaitNodeReady("w1", null, Duration.ofSeconds(5), poll)).ready());
        called.add("awaitRejoin");
        assertEquals(List.of("w1", "w3"),
            a.awaitRejoin(new AwaitRejoin("default-worker", NodeRole.WORKER, "w2", 2, poll)).readyNodes());
        called.add("uncordon");
        assertTrue(a.uncordon(new Uncordon("w2")).changed());
        called.add("deleteNode");
        assertTrue(a.deleteNode(new DeleteNode("w2")).deleted());
      } finally {
        env.close();
      }
      Set<String> declared = Arrays.stream(KubernetesActivities.class.getMethods())
          .filter(m -> m.isAnnotationPresent(ActivityMethod.class))
          .map(Method::getName)
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(declared, called,
          "every KubernetesActivities method must be exercised here, so that its API calls are checked against RBAC");
      assertEquals(List.of(), recorder.nonResourceRequests(), "non-resource requests need nonResourceURLs rules");
      return recorder.calls();
    }
  }

  /**
   * The detector as a process of its own ({@code DetectorMain}, leader election on), against the
   * simulated API and an embedded Temporal: from start, through leading and starting a repair for
   * a NotReady worker, until a lease renewal and its SIGTERM (which releases the lease).
   */
  static List<ApiCall> detector(Path workDir) throws Exception {
    String cluster = "rbac";
    try (KubernetesSimulator api = KubernetesSimulator.start(0);
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      Instant created = Instant.now().minus(Duration.ofHours(1));
      api.client().nodes().resource(node("m1", "True", created).editMetadata()
          .addToLabels("node-role.kubernetes.io/control-plane", "").endMetadata().build()).create();
      api.client().nodes().resource(node("w1", "True", created).build()).create();
      api.client().nodes().resource(node("w2", "False", created).build()).create();
      Path kubeconfig = api.writeKubeconfig(workDir.resolve("kubeconfig"));
      Path config = Files.writeString(workDir.resolve("config.yaml"), """
          cluster-name: %s
          monitor-interval: 1s
          check-delay-after-add: 0s
          leader-elect: true
          healthcheck:
            master:
              - type: NodeCondition
                params: {unhealthy-duration: 1s, types: ["Ready"], ok-values: ["True"]}
            worker:
              - type: NodeCondition
                params: {unhealthy-duration: 1s, types: ["Ready"], ok-values: ["True"]}
          kubernetes:
            kubeconfig: %s
          temporal:
            address: %s
            namespace: %s
          """.formatted(cluster, kubeconfig, temporal.target(), EmbeddedTemporal.NAMESPACE));

      ApiCallRecorder recorder = new ApiCallRecorder();
      api.addInterceptor(recorder);
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try (ChildJvm detector = ChildJvm.start("detector", DetectorMain.class, workDir.resolve("detector.log"),
          List.of("--config", config.toString()))) {
        String workflowId = RepairIds.workflowId(cluster, "w2");
        await("the detector starts " + workflowId, detector, Duration.ofSeconds(60), () -> started(stubs, workflowId));
        await("a lease renewal", detector, Duration.ofSeconds(30),
            () -> recorder.calls().stream().filter(leaseWrite()).count() >= 2);
      } finally {
        stubs.shutdownNow();
      }
      // ChildJvm.close sent SIGTERM and waited: the detector released its lease on the way out.
      assertFalse(recorder.calls().isEmpty());
      assertEquals(List.of(), recorder.nonResourceRequests(), "non-resource requests need nonResourceURLs rules");
      return recorder.calls();
    }
  }

  private static Predicate<ApiCall> leaseWrite() {
    return c -> c.resource().equals("leases") && Set.of("create", "update", "patch").contains(c.verb());
  }

  private static boolean started(WorkflowServiceStubs stubs, String workflowId) {
    try {
      stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
          .setNamespace(EmbeddedTemporal.NAMESPACE)
          .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
          .build());
      return true;
    } catch (io.grpc.StatusRuntimeException e) {
      return false;
    }
  }

  private static void await(String what, ChildJvm process, Duration timeout, java.util.function.BooleanSupplier done)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError(process.name() + " exited before " + what + ":\n" + Files.readString(process.log()));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; " + process.name() + " log:\n"
            + Files.readString(process.log()));
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static NodeBuilder node(String name, String ready, Instant since) {
    String time = since.toString();
    return new NodeBuilder()
        .withNewMetadata().withName(name).withCreationTimestamp(time)
        .addToLabels("magnum.openstack.org/nodegroup", name.startsWith("m") ? "default-master" : "default-worker")
        .addToLabels("magnum.openstack.org/role", name.startsWith("m") ? "master" : "worker")
        .endMetadata()
        .withNewSpec().withProviderID("openstack:///" + java.util.UUID.nameUUIDFromBytes(name.getBytes())).endSpec()
        .withNewStatus()
        .addNewCondition().withType("Ready").withStatus(ready).withLastTransitionTime(time)
        .withLastHeartbeatTime(time).withReason(ready.equals("True") ? "KubeletReady" : "KubeletNotReady").endCondition()
        .endStatus();
  }

  private static PodBuilder pod(String name, String node) {
    return new PodBuilder().withNewMetadata().withName(name).withUid("uid-" + name).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
        .withNewStatus().withPhase("Running").endStatus();
  }
}
