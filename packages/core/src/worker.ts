/**
 * The worker side's entry: what a generated worker entry calls once the
 * user's module (and so its registrations) has loaded.
 */
import * as Comlink from 'comlink';
import './builtins.ts';
import { runProcess } from './engine.ts';
import type { ParentApi, WorkerApi } from './protocol.ts';

/** Serve processes to the parent on `endpoint` (in a Web Worker, `self`). */
export function serveWorker(endpoint: Comlink.Endpoint): void {
  let stop: (() => void) | null = null;
  let stopAsked = false;
  const api: WorkerApi = {
    // Comlink hands the parent's API over as a proxy whose calls return promises.
    run: (start, parent) =>
      runProcess(start, parent as unknown as Comlink.Remote<ParentApi>, (requestStop) => {
        stop = requestStop;
        if (stopAsked) requestStop();
      }),
    requestStop: () => {
      stopAsked = true;
      stop?.();
    },
  };
  Comlink.expose(api, endpoint);
}
