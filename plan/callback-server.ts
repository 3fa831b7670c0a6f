/**
 * Closes the Pulumi SDK's gRPC callback server after a cluster is planned.
 *
 * Why: the mock monitor says it supports every feature but output values (`@pulumi/pulumi` 3.248.0
 * `runtime/mocks.js` `supportsFeature`), so the first resource with `transforms` (the Rancher
 * registration's ConfigGroup) starts a callback server on loopback (`runtime/settings.js` `getCallbacks`).
 * The next `setMocks` forgets it without shutting it down (`resetOptions`), and the server holds the mock
 * monitor, so every cluster a plan worker planned stayed in memory, with a listening socket each: 1.7 MB
 * per 100-node cluster (BENCHMARKS.md (d)).
 *
 * It is shut down only once it has started: until then it probes itself every second
 * (`runtime/callbacks.js`, the `connect` loop), and a server shut down under that probe would leave it
 * retrying for ever, keeping the process alive. A registration that uses it always waits for that start
 * (`registerTransform` awaits `_target`), so after a plan that succeeded it has started. If the SDK ever
 * drops `_target`, the server is shut down at once.
 */
interface CallbackServer {
  readonly _target?: Promise<unknown>;
  shutdown(): void;
}

interface RuntimeStore {
  callbacks?: CallbackServer;
}

/** Detaches the runtime's callback server, if it has one, and shuts it down once it has started. */
export function closeCallbackServer(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const state = require("@pulumi/pulumi/runtime/state") as { getStore(): RuntimeStore };
  const store = state.getStore();
  const server = store.callbacks;
  if (server === undefined) return;
  store.callbacks = undefined;
  const shutdown = (): void => server.shutdown();
  void Promise.resolve(server._target).then(shutdown, shutdown);
}
