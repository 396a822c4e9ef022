/// <reference path="../types/comlink-node-adapter.d.ts" />
/** Entry helper for generated worker_threads bundles. */
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { serveWorker } from '@suitkaise/core/worker';

/** Serve processes to the thread that spawned this worker. */
export function serve(): void {
  if (!parentPort) throw new Error('@suitkaise/node/worker must run inside a worker_threads Worker');
  serveWorker(nodeEndpoint(parentPort));
}
