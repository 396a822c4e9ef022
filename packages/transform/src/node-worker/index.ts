/**
 * `@suitkaise/transform/node-worker`: builds the worker_threads entry of a registered module (the
 * module pruned for workers, bundled with esbuild, on a shared cached runtime). `@suitkaise/node`
 * loads it on first spawn, so an app that never spawns a Node worker (a browser app) installs no
 * build tools for it.
 * @packageDocumentation
 */
export { workerBundleFor, type WorkerRegistration } from './bundle.ts';
