/** Entry helper for generated browser worker modules. */
import type { Endpoint } from 'comlink';
import { beforeEndingItself, moduleKeyOf, serveWorker, type ModuleLoader } from '@suitkaise/core/worker';
import { CLOSED_ITSELF } from './closed.ts';

/** A module's worker code, as a bundler can chunk it: `() => import('./a.ts?sk-worker-module')`. */
export type WorkerModules = Readonly<Record<string, () => Promise<unknown>>>;

/**
 * How a Web Worker loads another module's worker code by key: from the build's table of literal
 * `import()`s; on a dev server (no table entry), from the module's own URL with `?sk-worker-module`.
 */
function moduleLoader(modules: WorkerModules, devServer: boolean): ModuleLoader {
  const loading = new Map<string, Promise<unknown>>();
  const load = async (key: string, url: string): Promise<unknown> => {
    const fromTable = modules[key];
    if (fromTable) return fromTable();
    if (!devServer) {
      throw new Error(`${key} is not in this build's worker modules: build the app with the suitkaise() Vite plugin, which lists every module with @sk() or sk()`);
    }
    const workerModule = new URL(url);
    workerModule.search = '?sk-worker-module';
    return import(/* @vite-ignore */ workerModule.href);
  };
  return ({ key, url }) => {
    let pending = loading.get(key);
    if (!pending) {
      pending = load(key, url);
      loading.set(key, pending);
      pending.catch(() => loading.delete(key));
    }
    return pending;
  };
}

/**
 * The module this worker was spawned for, from its name (the registration id the transform gives
 * it): loading starts at once, before the parent's first call arrives.
 */
function preload(loader: ModuleLoader, devServer: boolean): void {
  const name = (globalThis as { name?: string }).name ?? '';
  if (!name.includes('#')) return;
  const key = moduleKeyOf(name);
  // On a dev server a module's URL is its path from the root (Vite's default base).
  const url = devServer ? new URL(`/${key}`, (globalThis as { location?: { origin: string } }).location?.origin).href : '';
  loader({ key, url }).catch(() => {}); // a failure surfaces when the parent asks for the module
}

/** Serve processes and pool tasks to the page that spawned this Web Worker. */
export function serve(modules: WorkerModules = {}, devServer = false): void {
  const scope = globalThis as unknown as { close(): void; postMessage(message: unknown): void };
  // A worker that closes itself fires nothing at the page: say so first, or the page would wait forever.
  const close = scope.close.bind(scope);
  scope.close = () => {
    beforeEndingItself();
    scope.postMessage(CLOSED_ITSELF);
    close();
  };
  const loader = moduleLoader(modules, devServer);
  preload(loader, devServer);
  serveWorker(globalThis as unknown as Endpoint, loader);
}
