package io.autohealer.simulator.kubernetes;

import io.fabric8.mockwebserver.http.MockResponse;

/**
 * The mock server's CRUD store, called in-process by the simulated API's own handlers (which run
 * on the server's event loop, where calling a client would deadlock). Paths are API paths.
 */
interface InProcessStore {
  MockResponse get(String path);

  /** Deletes, or for an object with finalizers, marks it for deletion, as the store does. */
  MockResponse delete(String path);

  /** Applies a JSON patch (RFC 6902), which, unlike the store's merge patch, replaces lists. */
  MockResponse jsonPatch(String path, String patch);
}
