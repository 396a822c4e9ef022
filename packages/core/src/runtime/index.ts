/**
 * Owns the worker boundary: registration (`sk`, the registry), the host adapter contract and its platform choice, one worker's life from spawn to end, shared-memory availability, and uncaught worker errors.
 * May import: errors, protocol, share (a dead worker's locks are freed).
 */
export { sk, type SkClass, type SkFunction, type SkClassDecorator } from './sk.ts';
export { onUncaught } from './uncaught.ts';
export { register, registrationOf, lookup, moduleKeyOf, type Registration } from './registry.ts';
export type { Adapter, ModuleRef, SpawnedWorker, WorkerExit } from './adapter.ts';
