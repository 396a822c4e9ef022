/** Entry helper for generated browser worker modules. */
import type { Endpoint } from 'comlink';
import { releaseOwnShareLocks, serveWorker, type ModuleLoader } from '@suitkaise/core/worker';
import { CLOSED_ITSELF } from './closed.ts';

/** A module's worker code, as a bundler can chunk it: `() => import('./a.ts?sk-worker-module')`. */
export type WorkerModules = Readonly<Record<string, () => Promise<unknown>>>;

/**
 * How a Web Worker loads another module's worker code by key: from the build's table of literal
 * `import()`s; on a dev server (no table entry), from the module's own URL with `?sk-worker-module`.
 */
function moduleLoader(modules: WorkerModules, devServer: boolean): ModuleLoader {
  return async ({ key, url }) => {
    const load = modules[key];
    if (load) return load();
    if (!devServer) {
      throw new Error(`${key} is not in this build's worker modules: build the app with the suitkaise() Vite plugin, which lists every module with @sk() or sk()`);
    }
    const workerModule = new URL(url);
    workerModule.search = '?sk-worker-module';
    return import(/* @vite-ignore */ workerModule.href);
  };
}

/** Serve processes and pool tasks to the page that spawned this Web Worker. */
export function serve(modules: WorkerModules = {}, devServer = false): void {
  const scope = globalThis as unknown as { close(): void; postMessage(message: unknown): void };
  // A worker that closes itself fires nothing at the page: say so first, or the page would wait forever.
  const close = scope.close.bind(scope);
  scope.close = () => {
    // close() inside share.atomic(): free the lock first (the page may be spinning on it).
    releaseOwnShareLocks();
    scope.postMessage(CLOSED_ITSELF);
    close();
  };
  serveWorker(globalThis as unknown as Endpoint, moduleLoader(modules, devServer));
}
