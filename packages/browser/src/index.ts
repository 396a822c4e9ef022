/**
 * @suitkaise/browser: runs suitkaise workers as module Web Workers.
 * Spawn, endpoint, terminate: nothing else lives here.
 * @packageDocumentation
 */
import { moduleKeyOf, type Adapter, type Registration, type SpawnedWorker, type WorkerExit } from '@suitkaise/core/internal';
import { isClosedItself } from './closed.ts';

function spawnWorker(registration: Registration): SpawnedWorker {
  if (!registration.browserWorker) {
    throw new Error(
      `${registration.id} has no browser worker entry; build this module with the suitkaise() Vite plugin ` +
        '(the transform writes the worker entry next to the @sk() class)',
    );
  }
  const worker = registration.browserWorker();
  let settle!: (exit: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((resolve) => { settle = resolve; });
  // A worker's uncaught error (including a module that failed to load) ends it as far as suitkaise is
  // concerned; the supervisor terminates it once what it sent before has been read.
  worker.addEventListener('error', (event: ErrorEvent) => {
    event.preventDefault();
    const reason = event.message || 'its module failed to load or threw at top level';
    settle({ code: null, error: event.error ?? new Error(reason), description: `crashed: ${reason}` });
  });
  worker.addEventListener('message', (event: MessageEvent) => {
    if (!isClosedItself(event.data)) return;
    worker.terminate();
    settle({ code: null, description: 'closed itself' });
  });
  worker.addEventListener('messageerror', () => {
    worker.terminate();
    settle({ code: null, description: 'received a message it could not deserialize' });
  });
  return {
    endpoint: worker,
    // The shared worker entry loads each module's code on demand.
    preloaded: false,
    exited,
    terminate() {
      worker.terminate();
      settle({ code: null, description: 'was terminated' });
    },
  };
}

/** The Web Worker adapter core picks in browsers. */
export const browserAdapter: Adapter = {
  name: 'browser',
  spawn: async (registration, signal) => {
    signal?.throwIfAborted();
    return spawnWorker(registration);
  },
  parallelism: () => globalThis.navigator?.hardwareConcurrency || 4,
  moduleOf: async (registration) => ({ key: moduleKeyOf(registration.id), url: registration.moduleUrl ?? '' }),
};
