package io.autohealer.simulator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.config.ConfigLoader;
import io.autohealer.detector.NodeFacts;
import io.autohealer.detector.RepairStarter;
import io.autohealer.simulator.RealLane;
import io.autohealer.simulator.Simulator;
import io.autohealer.simulator.kubernetes.SimulatedWorkloads;
import io.autohealer.simulator.openstack.ExternalKeystone;
import io.autohealer.simulator.openstack.KeystoneAccount;
import io.autohealer.simulator.openstack.SimulatorOptions;
import io.autohealer.simulator.process.ManagedProcess;
import io.autohealer.simulator.realkeystone.RealKeystone;
import io.autohealer.simulator.world.NodeFault;
import io.autohealer.worker.RepairWorker;
import io.autohealer.workflows.RepairIds;
import io.autohealer.workflows.RepairNodeWorkflow;
import io.autohealer.workflows.RepairOutcome;
import io.autohealer.workflows.RepairPolicy;
import io.autohealer.workflows.RepairRequest;
import io.autohealer.workflows.RepairResult;
import io.fabric8.kubernetes.api.model.Node;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A whole repair by the real worker process code, configured as an operator would (config.yaml with
 * the real Keystone's auth URL and an application credential), against the simulated cluster whose
 * Nova, Magnum and Heat validate every token with that Keystone.
 */
@Tag("real-keystone")
class RepairWithRealKeystoneTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aRebootRepairRunsOnApplicationCredentialTokensFromTheRealKeystone() throws Exception {
    new RealLane("real-Keystone", "real-keystone", RealKeystone::installed, RealKeystone::missingMessage,
        IllegalStateException::new).assumeInstalled();
    int port = ManagedProcess.freePort();
    try (RealKeystone keystone = RealKeystone.start(RealKeystone.simulatorCatalog("http://127.0.0.1:" + port));
        Simulator simulator = Simulator.start(Simulator.Options.defaults().withPorts(port, 0),
            SimulatedWorkloads.Options.defaults(), SimulatorOptions.defaults()
                .withAccount(new KeystoneAccount(keystone.clusterOwnerId(), RealKeystone.CLUSTER_OWNER, "default",
                    RealKeystone.DOMAIN, keystone.password(), keystone.projectId(), RealKeystone.PROJECT,
                    keystone.trustId()))
                .withExternalKeystone(new ExternalKeystone(keystone.authUrl(), keystone.serviceUserId(),
                    keystone.password(), keystone.serviceProjectId())),
            Duration.ofMinutes(1))) {
      EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try {
        Path config = SandboxConfig.write(Path.of("target", "repair-with-real-keystone"), simulator,
            temporal.target(), Duration.ofSeconds(5), false, List.of(
                "auth-url: " + keystone.authUrl(),
                "application-credential-id: " + keystone.applicationCredentialId(),
                "application-credential-secret: " + keystone.applicationCredentialSecret(),
                "region: " + RealKeystone.REGION));
        WorkflowClient client = WorkflowClient.newInstance(stubs,
            WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
        RepairResult result;
        String workflowId;
        try (RepairWorker worker = RepairWorker.start(ConfigLoader.load(config), true)) {
          String name = simulator.workerNodes().get(0);
          simulator.breakNode(name, NodeFault.KUBELET_STOPPED);
          simulator.nodes().awaitReadyStatus(name, "Unknown", WAIT);
          Node node = simulator.kubernetes().client().nodes().withName(name).get();
          RepairRequest request = new RepairRequest(simulator.cluster().name(), name,
              NodeFacts.serverId(node).orElseThrow(), NodeFacts.role(node), NodeFacts.nodegroup(node),
              NodeFacts.addresses(node), "NodeConditionCheck", "broken by the test", Instant.now(), policy());
          new RepairStarter(client).start(request);
          workflowId = RepairIds.workflowId(request.cluster(), name);
          result = WorkflowStub.fromTyped(client.newWorkflowStub(RepairNodeWorkflow.class, workflowId))
              .getResult(RepairResult.class);
        }

        assertEquals(RepairOutcome.REBOOTED, result.outcome(), result.message());
        assertEquals(1, simulator.openstack().calls("nova.server.reboot"));
        assertFalse(simulator.openstack().acceptedTokens().isEmpty(), "the services took the Keystone's tokens");
        // No step failed and was retried: every activity ran in its first attempt.
        List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
        assertTrue(events.stream().noneMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
            || e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT), "an activity failed");
        assertTrue(events.stream().filter(HistoryEvent::hasActivityTaskStartedEventAttributes)
            .allMatch(e -> e.getActivityTaskStartedEventAttributes().getAttempt() == 1), "an activity was retried");
      } finally {
        stubs.shutdownNow();
        temporal.close();
      }
    }
  }

  private static RepairPolicy policy() {
    return new RepairPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), false, false, true,
        Duration.ofSeconds(20), true, Duration.ofSeconds(8), Duration.ofHours(1), Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(5));
  }
}
