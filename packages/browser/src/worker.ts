/** Entry helper for generated browser worker modules. */
import type { Endpoint } from 'comlink';
import { serveWorker } from '@suitkaise/core/worker';
import { CLOSED_ITSELF } from './closed.ts';

/** Serve processes to the page that spawned this Web Worker. */
export function serve(): void {
  const scope = globalThis as unknown as { close(): void; postMessage(message: unknown): void };
  // A worker that closes itself fires nothing at the page: say so first, or the page would wait forever.
  const close = scope.close.bind(scope);
  scope.close = () => {
    scope.postMessage(CLOSED_ITSELF);
    close();
  };
  serveWorker(globalThis as unknown as Endpoint);
}
