/**
 * The worker side's entry: what a generated worker entry calls once the
 * user's module (and so its registrations) has loaded.
 */
import * as Comlink from 'comlink';
import './builtins.ts';
import type { ModuleRef } from './runtime/adapter.ts';
import { runProcess } from './process/engine.ts';
import { serveTasks } from './pool/worker-tasks.ts';
import type { WorkerApi } from './protocol.ts';
import { markTransferred, transferFor } from './serializer/transfer.ts';

import { releaseLocksHeldHere } from './share/store.ts';
import { flushAllMail } from './process/outbox.ts';
export type { ClosedItself } from './protocol.ts';
export { moduleKeyOf } from './runtime/registry.ts';

/**
 * What a worker must do when it ends itself (`process.exit()` in Node, `close()` in a Web Worker),
 * which its parent only learns afterwards: send the tells it gathered, then free the Share locks it
 * holds (inside `share.atomic()`, the parent may be blocked on one). The adapters call this once.
 */
export function beforeEndingItself(): void {
  flushAllMail();
  releaseLocksHeldHere();
}

/** How a worker loads another registered module's worker code: the platform's part of `WorkerApi.load`. */
export type ModuleLoader = (module: ModuleRef) => Promise<unknown>;

let serving = false;

/** `reply`, with the ports in its serialized `payload` in the transfer list (they move to the parent). */
function withTransfers<T>(reply: T, payload: unknown): T {
  const moving = transferFor(payload);
  if (moving.length === 0) return reply;
  markTransferred(moving);
  return Comlink.transfer(reply, moving);
}

/**
 * Serve processes and pool tasks to the parent on `endpoint` (in a Web Worker, `self`). A pool
 * worker imports other modules' worker entries, which call this again: only the first call serves.
 */
export function serveWorker(endpoint: Comlink.Endpoint, loadModule?: ModuleLoader): void {
  if (serving) return;
  serving = true;
  const api: WorkerApi = {
    run: async (start) => {
      const outcome = await runProcess(start);
      return withTransfers(outcome, outcome.payload);
    },
    load: async (module) => {
      if (!loadModule) throw new Error(`this worker cannot load ${module.key}: its entry gave serveWorker() no module loader`);
      await loadModule(module);
    },
    openTasks: (port) => serveTasks(port),
  };
  Comlink.expose(api, endpoint);
}
