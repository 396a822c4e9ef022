/**
 * The worker side's entry: what a generated worker entry calls once the
 * user's module (and so its registrations) has loaded.
 */
import * as Comlink from 'comlink';
import './builtins.ts';
import { runProcess } from './engine.ts';
import type { WorkerApi } from './protocol.ts';

/** Serve processes to the parent on `endpoint` (in a Web Worker, `self`). */
export function serveWorker(endpoint: Comlink.Endpoint): void {
  const api: WorkerApi = { run: (start) => runProcess(start) };
  Comlink.expose(api, endpoint);
}
