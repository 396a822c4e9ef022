/**
 * Owns `Pool`: map/imap and their modifiers, adaptive chunking, the pool's workers and the worker-side task loop.
 * May import: errors, protocol, modifiers, queue, process, runtime, serializer.
 */
export { Pool } from './pool.ts';
export type {
  PoolOptions, MapOptions, PoolMethods, PoolMap, PoolMapInBackground, PoolIterate, PoolIterateInBackground, PoolItems,
  Mappable, PoolFunction, PoolProcessClass, ArgsOf, ResultOf, ItemOf,
} from './types.ts';
