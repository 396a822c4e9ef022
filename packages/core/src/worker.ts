/**
 * The worker side's entry: what a generated worker entry calls once the
 * user's module (and so its registrations) has loaded.
 */
import * as Comlink from 'comlink';
import './builtins.ts';
import { runProcess } from './engine.ts';
import type { WorkerApi } from './protocol.ts';
import { markTransferred, transferFor } from './transfer.ts';

/** Serve processes to the parent on `endpoint` (in a Web Worker, `self`). */
export function serveWorker(endpoint: Comlink.Endpoint): void {
  const api: WorkerApi = {
    run: async (start) => {
      const outcome = await runProcess(start);
      const moving = transferFor(outcome.payload);
      if (moving.length === 0) return outcome;
      markTransferred(moving);
      return Comlink.transfer(outcome, moving);
    },
  };
  Comlink.expose(api, endpoint);
}
