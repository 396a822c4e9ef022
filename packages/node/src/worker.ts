/// <reference path="../types/comlink-node-adapter.d.ts" />
/** Entry helper for generated worker_threads bundles. */
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { beforeEndingItself, serveWorker } from '@suitkaise/core/worker';

/**
 * Serve processes to the thread that spawned this worker. `beforeFirstReply` (which must not
 * throw) runs once, just before the worker first answers: by then it has run a process.
 */
export function serve(beforeFirstReply?: () => void): void {
  if (!parentPort) throw new Error('@suitkaise/node/worker must run inside a worker_threads Worker');
  if (!process.listeners('exit').includes(beforeEndingItself)) process.once('exit', beforeEndingItself);
  const endpoint = nodeEndpoint(parentPort);
  if (beforeFirstReply) {
    const post = endpoint.postMessage;
    endpoint.postMessage = (message, transfer) => {
      endpoint.postMessage = post;
      beforeFirstReply();
      post(message, transfer);
    };
  }
  serveWorker(endpoint, (module) => importer()(module.url));
}

/**
 * `import()` for this worker: the runtime runs as a `vm.Script`, which cannot call `import()`
 * itself, so its loader leaves one under this key; a bundle without the runtime has its own.
 */
function importer(): (specifier: string) => Promise<unknown> {
  const left = (globalThis as Record<symbol, unknown>)[Symbol.for('suitkaise.import')];
  return typeof left === 'function' ? (left as (specifier: string) => Promise<unknown>) : (specifier) => import(specifier);
}
