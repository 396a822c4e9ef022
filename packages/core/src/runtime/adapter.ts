/**
 * What core needs from a runtime: spawn a worker, talk to it, end it.
 * `@suitkaise/node` and `@suitkaise/browser` implement this and nothing more.
 */
import type { Endpoint } from 'comlink';
import type { Registration } from './registry.ts';

/** How a worker ended without being asked to. */
export interface WorkerExit {
  /** Exit code where the runtime reports one. */
  readonly code: number | null;
  /** The uncaught error that ended it, if any. */
  readonly error?: unknown;
  /** A sentence for error messages: `exited with code 1`, `was terminated`, `crashed: …`. */
  readonly description: string;
}

/** A running worker. */
export interface SpawnedWorker {
  /** The Comlink endpoint to the worker. */
  readonly endpoint: Endpoint;
  /** Settles once, when the worker has ended for any reason (including `terminate()`). */
  readonly exited: Promise<WorkerExit>;
  /** End the worker now, even inside `while (true) {}`. */
  terminate(): void;
  /**
   * Whether the worker starts with the module it was spawned for already loaded (Node: a bundle per
   * module); `false` when it loads modules on demand (a browser build's one shared worker entry).
   * @default true
   */
  readonly preloaded?: boolean;
  /** Whether the worker may keep the app alive (Node: `ref`/`unref`); an idle pool worker must not. */
  keepAlive?(on: boolean): void;
}

/** How a worker finds a registered module's worker code: what `WorkerApi.load` receives. */
export interface ModuleRef {
  /** The module part of the registration id (`src/a.ts`). */
  readonly key: string;
  /** Where the worker imports it from (Node: the module's worker bundle; a browser dev server: the module's URL). */
  readonly url: string;
}

/** A runtime's way of running workers. */
export interface Adapter {
  /** `node` or `browser`. */
  readonly name: string;
  /**
   * Start a worker that serves the registered module of `registration`. Once `signal` has aborted
   * (the process was killed while its worker was being prepared) it starts none and rejects.
   */
  spawn(registration: Registration, signal?: AbortSignal): Promise<SpawnedWorker>;
  /** How many workers run in parallel on this machine (a pool's default size). */
  parallelism(): number;
  /** Where a worker spawned for another module loads `registration`'s module from. */
  moduleOf(registration: Registration): Promise<ModuleRef>;
}
