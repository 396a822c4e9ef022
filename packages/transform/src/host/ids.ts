/**
 * The names generated code and the hosts agree on: the shared browser worker entry
 * (`__suitkaise_worker__.js?sk-worker`), a module as a worker loads it (`<file>?sk-worker-module`
 * for Vite, `sk-worker-module:<file>` for esbuild, `<name>.sk-worker.js` beside `suitkaise build`
 * output), the Vite plugin's table of worker modules, and the Node worker bundle's runtime
 * modules. Each is written here once; the transform and every host read it from here.
 */
import { posix } from 'node:path';

/** The shared browser worker entry's file name, at the project root (served by the Vite plugin, never on disk). */
export const WORKER_ENTRY_FILE = '__suitkaise_worker__.js';

/** The query that marks a request for the shared browser worker entry. */
export const WORKER_ENTRY_QUERY = 'sk-worker';

/** The query that marks a module as a worker imports it (pruned of top-level side effects), for Vite. */
export const WORKER_MODULE_QUERY = 'sk-worker-module';

/** The same, for esbuild: `sk-worker-module:<file>` names `<file>` as a worker imports it. */
export const WORKER_MODULE_PREFIX = 'sk-worker-module:';

/** The esbuild namespace of {@link WORKER_MODULE_PREFIX} modules. */
export const WORKER_MODULE_NAMESPACE = 'sk-worker-module';

/** esbuild's `filter` for {@link WORKER_MODULE_PREFIX} imports. */
export const WORKER_MODULE_FILTER = /^sk-worker-module:/;

/** Inserted before the emitted extension of a module's worker module: `counter.sk-worker.js` (`suitkaise build`). */
export const WORKER_MODULE_INFIX = '.sk-worker';

/** The module the browser worker entry loads the table of worker modules from (the Vite plugin serves it). */
export const WORKER_MODULES_ID = 'virtual:suitkaise/worker-modules';

/** {@link WORKER_MODULES_ID} once resolved: `\0` keeps other plugins off it, as Rollup's convention says. */
export const RESOLVED_WORKER_MODULES_ID = `\0${WORKER_MODULES_ID}`;

/** The Node worker bundle's import of its runtime loader (node-worker/runtime.ts serves it). */
export const RUNTIME_ID = 'sk-runtime';

/** The entry the Node worker runtime is built from. */
export const RUNTIME_ENTRY_ID = 'sk-runtime-entry';

/** `sk-runtime-names:<i>`: re-exports the runtime's i-th entry point, built only to list its export names. */
export const RUNTIME_NAMES_PREFIX = 'sk-runtime-names:';

/** The Node bundler's own module names, which its plugins resolve (never packages to look up). */
const BUNDLER_VIRTUAL = /^sk-(?:worker-module:|runtime(?:$|-entry$|-names:))/;

/** `id` without its `?query` and `#hash`. */
export function withoutQuery(id: string): string {
  return id.replace(/[?#].*$/s, '');
}

/** Whether `id`'s query holds the flag `name` (`?name`, `?name&…`, `?…&name`). */
export function hasQueryFlag(id: string, name: string): boolean {
  const query = id.indexOf('?');
  return query !== -1 && id.slice(query + 1).split('&').includes(name);
}

/** Whether `id` (a path or URL, any query) names the shared browser worker entry. */
export function isWorkerEntry(id: string): boolean {
  const file = withoutQuery(id);
  return file === `/${WORKER_ENTRY_FILE}` || file.endsWith(`/${WORKER_ENTRY_FILE}`) || file.endsWith(`\\${WORKER_ENTRY_FILE}`);
}

/** Whether `id` asks for a module as a worker imports it (`?sk-worker-module`). */
export function isWorkerModuleRequest(id: string): boolean {
  return hasQueryFlag(id, WORKER_MODULE_QUERY);
}

/** Whether `id` asks for the worker entry itself (`?sk-worker`), not a module. */
export function isWorkerEntryRequest(id: string): boolean {
  return hasQueryFlag(id, WORKER_ENTRY_QUERY);
}

/**
 * The URL, relative to the module at `relative` (a path from the project root, POSIX separators),
 * that its registrations' `new Worker(new URL(…))` name: the shared entry at the root, with its query.
 */
export function workerEntryUrl(relative: string): string {
  const path = posix.relative(posix.dirname(relative), WORKER_ENTRY_FILE);
  return `${path.startsWith('.') ? path : `./${path}`}?${WORKER_ENTRY_QUERY}`;
}

/**
 * What a request for the worker entry resolves to: the entry's path at `root` (POSIX separators)
 * with the request's query, `sk-worker` first when the request lacks it (a build asks by path).
 */
export function resolvedWorkerEntry(root: string, request: string): string {
  const at = request.indexOf('?');
  const query = at === -1 ? '' : request.slice(at + 1);
  const flags = query.split('&').includes(WORKER_ENTRY_QUERY) ? query : [WORKER_ENTRY_QUERY, ...(query ? [query] : [])].join('&');
  return `${posix.join(root.split('\\').join('/'), WORKER_ENTRY_FILE)}?${flags}`;
}

/** `file` as a worker imports it, for Vite: `<file>?sk-worker-module`. */
export function workerModuleUrl(file: string): string {
  return `${file}?${WORKER_MODULE_QUERY}`;
}

/** `file` as a worker imports it, for esbuild: `sk-worker-module:<file>`. */
export function workerModuleSpecifier(file: string): string {
  return `${WORKER_MODULE_PREFIX}${file}`;
}

/** The file a {@link workerModuleSpecifier} names. */
export function fileOfWorkerModuleSpecifier(specifier: string): string {
  return specifier.slice(WORKER_MODULE_PREFIX.length);
}

/** The source file `suitkaise build` compiles a module's worker module from: `src/counter.ts` → `src/counter.sk-worker.ts`. */
export function workerModuleSourceOf(file: string): string {
  const extension = /\.[^./\\]+$/.exec(file)?.[0] ?? '';
  return `${file.slice(0, file.length - extension.length)}${WORKER_MODULE_INFIX}${extension}`;
}

/** Whether a bare specifier is one of the Node bundler's own module names. */
export function isBundlerVirtual(specifier: string): boolean {
  return BUNDLER_VIRTUAL.test(specifier);
}
