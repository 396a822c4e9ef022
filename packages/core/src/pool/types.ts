/**
 * The public types of `Pool`: what can be mapped, what an item is, what comes back, and the
 * four map methods with their modifiers. Types only.
 */
import type { Future } from '../modifiers.ts';
import type { Skprocess } from '../process/process.ts';

/** An `sk()` function or exported function declaration a pool can call in its workers. */
export type PoolFunction = (...args: never[]) => unknown;

/** An `@sk()` `Skprocess` class: one instance per item (`new Cls(item)`), run to its result. */
export type PoolProcessClass = new (...args: never[]) => Skprocess<unknown>;

/** What a pool maps: a function, or a process class. */
export type Mappable = PoolFunction | PoolProcessClass;

/** The parameters of a mappable: the function's, or the class constructor's. */
export type ArgsOf<F> = F extends new (...args: infer A) => unknown ? A : F extends (...args: infer A) => unknown ? A : never;

/** What one item gives back: the function's (awaited) return value, or the class's `Skprocess<R>` result. */
export type ResultOf<F> = F extends new (...args: never[]) => Skprocess<infer R> ? R : F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** One item: the first argument, or with `star()` the whole argument tuple. */
export type ItemOf<F, Star extends boolean> = Star extends true ? ArgsOf<F> : ArgsOf<F>[0];

/** Items: an array, any iterable, or an async iterable. */
export type PoolItems<T> = Iterable<T> | AsyncIterable<T>;

/** The last, optional argument of every map method. */
export interface MapOptions {
  /** Aborting it stops the call: queued items never start, running ones are stopped, the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Items per task sent to a worker; default: adaptive (small for slow items, large for tiny ones). */
  chunkSize?: number;
  /** Called as items complete (at least once per finished chunk); `total` is undefined for inputs without a size. */
  onProgress?: (done: number, total: number | undefined) => void;
}

/** `map` / `unorderedMap`: all results as one array. */
export interface PoolMap<Star extends boolean> {
  <F extends Mappable>(fn: F, items: PoolItems<ItemOf<F, Star>>, options?: MapOptions): Promise<ResultOf<F>[]>;
  /** The same call, rejecting with `ResultTimeoutError` (and stopping its work) after `ms`. */
  timeout(ms: number): PoolMap<Star>;
  /** The same call, returning a `Future` that has already started. */
  background(): PoolMapInBackground<Star>;
  /** The `Promise`-returning form (the plain call already is one). */
  asynced(): PoolMap<Star>;
}

/** `map` / `unorderedMap` returning a `Future`. */
export interface PoolMapInBackground<Star extends boolean> {
  <F extends Mappable>(fn: F, items: PoolItems<ItemOf<F, Star>>, options?: MapOptions): Future<ResultOf<F>[]>;
  timeout(ms: number): PoolMapInBackground<Star>;
  background(): PoolMapInBackground<Star>;
  asynced(): PoolMap<Star>;
}

/** `imap` / `unorderedImap`: results as they come, pulling items lazily. */
export interface PoolIterate<Star extends boolean> {
  <F extends Mappable>(fn: F, items: PoolItems<ItemOf<F, Star>>, options?: MapOptions): AsyncIterableIterator<ResultOf<F>>;
  /** The same iteration, where each next result must arrive within `ms` (else it rejects with `ResultTimeoutError` and the call stops). */
  timeout(ms: number): PoolIterate<Star>;
  /** Collect every result into an array, as a `Future` that has already started. */
  background(): PoolIterateInBackground<Star>;
  /** The `Promise`-returning form: the results collected into an array. */
  asynced(): PoolMap<Star>;
}

/** `imap` / `unorderedImap` collected into a `Future` of an array. */
export interface PoolIterateInBackground<Star extends boolean> {
  <F extends Mappable>(fn: F, items: PoolItems<ItemOf<F, Star>>, options?: MapOptions): Future<ResultOf<F>[]>;
  timeout(ms: number): PoolIterateInBackground<Star>;
  background(): PoolIterateInBackground<Star>;
  asynced(): PoolMap<Star>;
}

/** The four map methods; `star()` gives them with tuple items spread into the arguments. */
export interface PoolMethods<Star extends boolean> {
  /** Results in input order. */
  readonly map: PoolMap<Star>;
  /** Results in completion order. */
  readonly unorderedMap: PoolMap<Star>;
  /** Results in input order, as they become available; items are pulled lazily. */
  readonly imap: PoolIterate<Star>;
  /** Results in completion order, as they come; items are pulled lazily. */
  readonly unorderedImap: PoolIterate<Star>;
}

/** Options of `new Pool()`. */
export interface PoolOptions {
  /** How many workers at most; default: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers. */
  workers?: number;
}
