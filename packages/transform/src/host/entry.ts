/**
 * The worker entry modules the hosts generate, as text: the browser's one shared entry and its
 * table of worker modules (the Vite plugin serves both), and a Node worker's entry for one
 * module (the Node bundler bundles it). Each entry imports the module code, then hands control
 * to the runtime's `serve()`.
 */
import { RUNTIME_ID, WORKER_MODULES_ID, workerModuleSpecifier, workerModuleUrl } from './ids.ts';

/**
 * The one browser worker entry every registration's `new Worker(new URL('…/__suitkaise_worker__.js?sk-worker'))`
 * names: the engine only. A build bundles it (and so the runtime) once; the worker loads each
 * module's code on first use, by registration id, from {@link workerModulesTable}.
 */
export function browserWorkerEntry(): string {
  return [
    'import { serve } from "@suitkaise/browser/worker";',
    `import { modules, devServer } from ${JSON.stringify(WORKER_MODULES_ID)};`,
    'serve(modules, devServer);',
    '',
  ].join('\n');
}

/**
 * The table the browser worker entry loads modules from. On a dev server (`modules` is `null`)
 * it is empty: a worker imports a module's `?sk-worker-module` URL directly. In a build it holds a
 * literal `import()` per module that registers something (key: its path from the root → file),
 * so that the bundler makes a chunk of each.
 */
export function workerModulesTable(modules: ReadonlyMap<string, string> | null): string {
  if (modules === null) return 'export const modules = {};\nexport const devServer = true;\n';
  const entries = [...modules].map(([key, file]) => `  ${JSON.stringify(key)}: () => import(${JSON.stringify(workerModuleUrl(file))}),`);
  return `export const modules = {\n${entries.join('\n')}\n};\nexport const devServer = false;\n`;
}

/**
 * A Node worker's entry for the module `file`: its worker code (registrations only), then
 * `@suitkaise/node/worker`'s `serve()`. With `runtime`, suitkaise's own code comes from the shared
 * worker runtime, and the worker saves the runtime's code cache once it has served.
 */
export function nodeWorkerEntry(file: string, options: { runtime: boolean }): string {
  return [
    ...(options.runtime ? [`import { saveRuntimeCache } from ${JSON.stringify(RUNTIME_ID)};`] : []),
    `import ${JSON.stringify(workerModuleSpecifier(file))};`,
    'import { serve } from "@suitkaise/node/worker";',
    options.runtime ? 'serve(saveRuntimeCache);' : 'serve();',
    '',
  ].join('\n');
}
