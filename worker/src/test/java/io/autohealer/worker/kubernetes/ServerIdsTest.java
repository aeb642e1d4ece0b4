package io.autohealer.worker.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ServerIdsTest {
  private static final String ID = "0b5a3f61-6c52-4d6b-9a51-6d1f3c0e4a10";

  @Test
  void everyFormOfGoUuidParseIsNormalised() {
    assertEquals(ID, ServerIds.normalise(ID));
    assertEquals(ID, ServerIds.normalise("0B5A3F616C524D6B9A516D1F3C0E4A10"));
    assertEquals(ID, ServerIds.normalise("{" + ID + "}"));
    assertEquals(ID, ServerIds.normalise("urn:uuid:" + ID));
    assertEquals(ID, ServerIds.normalise(" " + ID + "\n"));
  }

  @Test
  void anythingElseIsNoServer() {
    assertNull(ServerIds.normalise(null));
    assertNull(ServerIds.normalise(""));
    assertNull(ServerIds.normalise("k8s-node-1"));
    assertNull(ServerIds.normalise(ID + "0"));
  }
}
