/**
 * Internals the transform's generated code and the runtime adapters import.
 * Not part of the public API: names here may change between versions.
 */
export * from './errors.ts';
export { register, registrationOf, lookup, moduleKeyOf, type Registration } from './runtime/index.ts';
export type { Adapter, ModuleRef, SpawnedWorker, WorkerExit } from './runtime/index.ts';
