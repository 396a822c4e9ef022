/** Entry helper for generated browser worker modules. */
import type { Endpoint } from 'comlink';
import { serveWorker } from '@suitkaise/core/worker';

/** Serve processes to the page that spawned this Web Worker. */
export function serve(): void {
  serveWorker(globalThis as unknown as Endpoint);
}
