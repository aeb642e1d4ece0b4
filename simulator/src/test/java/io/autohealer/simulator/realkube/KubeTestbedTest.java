package io.autohealer.simulator.realkube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autohealer.simulator.realtemporal.TemporalCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Finding the test bed's build and the pinned versions; nothing is started. */
class KubeTestbedTest {

  @Test
  void readsThePinnedVersionsFromTheVersionsFile() throws Exception {
    String version = KubeTestbed.pinnedVersion();
    assertTrue(version.matches("1\\.\\d+\\.\\d+"), version);
    Path root = TemporalCli.projectRoot().orElseThrow();
    assertEquals(root.resolve(".tools/kube/" + version), KubeTestbed.installedDir());
    // testbed/kube-apiserver/go.mod pins k8s.io/kubernetes and every staging module to match.
    String goMod = Files.readString(root.resolve("testbed/kube-apiserver/go.mod"));
    assertTrue(goMod.contains("\tk8s.io/kubernetes v" + version + "\n"), "go.mod pins v" + version);
    String staging = "v0." + version.substring(version.indexOf('.') + 1);
    assertTrue(goMod.contains("k8s.io/apiserver => k8s.io/apiserver " + staging + "\n"), staging);
    assertTrue(goMod.contains("go.etcd.io/etcd/server/v3 v" + KubeTestbed.versions().get("ETCD_VERSION")));
  }

  @Test
  void aMissingOverrideIsReportedWithWhatToDo() {
    String before = System.getProperty(KubeTestbed.PROPERTY);
    System.setProperty(KubeTestbed.PROPERTY, "/nonexistent/kube");
    try {
      assertTrue(KubeTestbed.find().isEmpty());
      KubeTestbedMissingException e = assertThrows(KubeTestbedMissingException.class, KubeTestbed::require);
      assertTrue(e.getMessage().contains("/nonexistent/kube"), e.getMessage());
      assertTrue(e.getMessage().contains(KubeTestbed.INSTALL_COMMAND), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(KubeTestbed.PROPERTY);
      } else {
        System.setProperty(KubeTestbed.PROPERTY, before);
      }
    }
  }
}
