/// <reference path="../types/comlink-node-adapter.d.ts" />
/**
 * @suitkaise/node: runs suitkaise workers on worker_threads.
 * Spawn, endpoint, terminate: nothing else lives here. Worker code is
 * bundled on first use by `@suitkaise/transform/node-worker` (an optional
 * peer: Node 20 workers cannot load TypeScript or the transform's output directly),
 * or found in its on-disk cache. Being bundled JavaScript, it needs no module hook:
 * workers start without `--import @suitkaise/node/register` (exec-argv.ts).
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { moduleKeyOf, type Adapter, type Registration, type SpawnedWorker, type WorkerExit } from '@suitkaise/core/internal';
import { nodeOptionsWithoutHook, withoutHook, withoutRefused } from './exec-argv.ts';

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

/** The worker's Node options: the parent's without the module hook (see exec-argv.ts); worked out on the first spawn. */
let execArgv: string[] | undefined;
/** `NODE_OPTIONS` as the last spawn found it, and the same without the hook (`undefined`: it has none). */
let nodeOptions: { from: string | undefined; without: string | undefined } | undefined;

function workerOptions(): WorkerOptions {
  if (execArgv === undefined) {
    execArgv = withoutHook(process.execArgv);
    // The hook turned source maps on in this thread; a worker has its own switch.
    if (process.sourceMapsEnabled && !execArgv.includes('--enable-source-maps')) execArgv.push('--enable-source-maps');
  }
  const current = process.env.NODE_OPTIONS;
  if (nodeOptions === undefined || nodeOptions.from !== current) nodeOptions = { from: current, without: nodeOptionsWithoutHook(current) };
  return nodeOptions.without === undefined ? { execArgv } : { execArgv, env: { ...process.env, NODE_OPTIONS: nodeOptions.without } };
}

/** `new Worker(file)` without the hook; an option Node refuses in a worker is dropped (it applies to the whole process already). */
function startWorker(file: string): Worker {
  for (;;) {
    try {
      return new Worker(file, workerOptions());
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
      execArgv = withoutRefused(execArgv!, error) ?? (execArgv!.length > 0 ? [] : undefined);
      if (execArgv === undefined) throw error;
    }
  }
}

async function spawnWorker(registration: Registration, signal?: AbortSignal): Promise<SpawnedWorker> {
  const file = await workerBundleFor(registration);
  signal?.throwIfAborted();
  const worker = startWorker(file);
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
