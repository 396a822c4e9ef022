/**
 * The registry of classes and functions that may cross a worker boundary,
 * filled by the code the transform emits in place of `@sk()` and `sk()`.
 * What is known about a class is stored on the class itself with
 * reflect-metadata; the id → value map serves lookups on the receiving side.
 */
// The no-conflict entry: metadata without installing the global `Reflect.metadata` polyfill, which
// stays the user's choice.
import { defineMetadata, getOwnMetadata } from 'reflect-metadata/no-conflict';

/** What the transform knows about a registered class or function. */
export interface Registration {
  /** Stable id: the module path relative to the project root, `#`, the export name. */
  id: string;
  /** `import.meta.url` of the defining module (the Node adapter bundles a worker from it). */
  moduleUrl?: string;
  /** The export name in the defining module. */
  exportName?: string;
  /** URL of the module's prebuilt worker module (`suitkaise build` emits `<name>.sk-worker.js`); the Node adapter bundles it instead of `moduleUrl`. */
  workerModuleUrl?: string;
  /** Spawns this class's worker in a browser; a literal `new Worker(new URL(...))` bundlers can see. */
  browserWorker?: () => Worker;
}

const REGISTRATION = 'suitkaise:registration';
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Registrable = Function;
const byId = new Map<string, Registrable>();

/** Register a class or function under `registration.id` (re-registering an id replaces it, as hot reload does). */
export function register<T extends Registrable>(target: T, registration: Registration): T {
  defineMetadata(REGISTRATION, Object.freeze({ ...registration }), target);
  byId.set(registration.id, target);
  return target;
}

/** The registration of exactly this class or function (not inherited from a base class), if any. */
export function registrationOf(target: unknown): Registration | undefined {
  if (typeof target !== 'function') return undefined;
  return getOwnMetadata(REGISTRATION, target) as Registration | undefined;
}

/** The class or function registered under `id`, if any. */
export function lookup(id: string): Registrable | undefined {
  return byId.get(id);
}

/** The module part of a registration id (`src/a.ts#square` → `src/a.ts`): what a worker loads. */
export function moduleKeyOf(id: string): string {
  const hash = id.lastIndexOf('#');
  return hash < 0 ? id : id.slice(0, hash);
}
