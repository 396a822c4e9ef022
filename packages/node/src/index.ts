/// <reference path="../types/comlink-node-adapter.d.ts" />
/**
 * @suitkaise/node: runs suitkaise workers on worker_threads.
 * Spawn, endpoint, terminate: nothing else lives here. Worker code is
 * bundled on first use by `@suitkaise/transform/node-worker` (an optional
 * peer: Node 20 workers cannot load TypeScript or the transform's output directly).
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { moduleKeyOf, type Adapter, type Registration, type SpawnedWorker, type WorkerExit } from '@suitkaise/core/internal';

type NodeWorkerBuilder = typeof import('@suitkaise/transform/node-worker');
let builder: Promise<NodeWorkerBuilder> | null = null;

/**
 * The runnable worker file for `registration`'s module, built by `@suitkaise/transform` (loaded on
 * the first spawn only: a browser app that installs this adapter with core never needs it).
 */
async function workerBundleFor(registration: Registration): Promise<string> {
  builder ??= import('@suitkaise/transform/node-worker').catch((error: unknown) => {
    builder = null;
    throw new Error(
      'starting a worker in Node needs @suitkaise/transform, which builds its worker code: install it (npm install -D @suitkaise/transform) ' +
        `and run the app with node --import @suitkaise/node/register, or build it with suitkaise build (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  });
  return (await builder).workerBundleFor(registration);
}

async function spawnWorker(registration: Registration, signal?: AbortSignal): Promise<SpawnedWorker> {
  const file = await workerBundleFor(registration);
  signal?.throwIfAborted();
  const worker = new Worker(file);
  let settle!: (exit: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((resolve) => { settle = resolve; });
  // Settle on 'exit', which Node emits after delivering what the worker posted before it died; 'error' comes first.
  let crash: Error | undefined;
  worker.once('error', (error: Error) => { crash = error; });
  worker.once('exit', (code: number) =>
    settle(crash ? { code, error: crash, description: `crashed: ${crash.message}` } : { code, description: `exited with code ${code}` }));
  return {
    endpoint: nodeEndpoint(worker),
    exited,
    terminate() {
      settle({ code: null, description: 'was terminated' });
      void worker.terminate();
      // A worker terminated while it still loads its bundle ends only once that is done (seconds on
      // a busy machine); it must not keep the app alive meanwhile.
      worker.unref();
    },
    keepAlive(on) {
      if (on) worker.ref();
      else worker.unref();
    },
  };
}

/** The worker_threads adapter core picks in Node. */
export const nodeAdapter: Adapter = {
  name: 'node',
  spawn: spawnWorker,
  parallelism: () => availableParallelism(),
  moduleOf: async (registration) => ({ key: moduleKeyOf(registration.id), url: pathToFileURL(await workerBundleFor(registration)).href }),
};
