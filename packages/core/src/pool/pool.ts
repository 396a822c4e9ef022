/**
 * `Pool`: parallel map over reusable workers. A facade: the workers live in {@link PoolWorkers},
 * one call's scheduling in {@link PoolCall}, the four methods and their modifiers in methods.ts.
 */
import { ProcessError } from '../errors.ts';
import { Skprocess } from '../process/process.ts';
import { registrationOf } from '../runtime/registry.ts';
import { platformAdapter } from '../runtime/worker-life.ts';
import { PoolCall } from './call.ts';
import { MAX_CHUNK } from './chunking.ts';
import { iterateMethod, mapMethod, type StartCall } from './methods.ts';
import type { MapOptions, PoolItems, PoolMethods, PoolOptions } from './types.ts';
import { PoolWorkers } from './workers.ts';

/** Chunks of `imap` / `unorderedImap` stay at most this large (without `chunkSize`), so results flow. */
const ITERATE_MAX_CHUNK = 32;

/** How many chunks per lane an iterator may pull ahead of its consumer. */
const LOOKAHEAD_CHUNKS = 2;

function checkWorkers(workers: unknown): number | undefined {
  if (workers === undefined) return undefined;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) {
    throw new TypeError(`options.workers must be a positive integer, got ${String(workers)}`);
  }
  return workers;
}

function checkCallOptions(options: MapOptions | undefined): MapOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError('the last argument must be an options object: { signal?, chunkSize?, onProgress? }');
  const { chunkSize, onProgress, signal } = options;
  if (chunkSize !== undefined && (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < 1)) {
    throw new TypeError(`options.chunkSize must be a positive integer, got ${String(chunkSize)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('options.onProgress must be a function (done, total) => void');
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.addEventListener === 'function')) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  return options;
}

function notMappable(fn: unknown): ProcessError {
  const name = typeof fn === 'function' ? fn.name || 'this function' : typeof fn;
  return new ProcessError(
    `${name} cannot run in a pool worker: pass an sk() function (export const f = sk((x) => …)), an @sk() Skprocess class, ` +
      'or an exported function declaration that its own module passes straight to a Pool method; the module must mention ' +
      "@suitkaise/core and be built with the suitkaise transform (the Vite plugin, @suitkaise/node/register, or suitkaise build)",
  );
}

/**
 * Parallel map on reusable workers: `map`, `unorderedMap`, `imap`, `unorderedImap`, and `star()`
 * for tuple items. Maps `sk()` functions, exported function declarations and `@sk()` Skprocess
 * classes (one process per item) from any number of modules.
 */
export class Pool implements PoolMethods<false> {
  readonly #requested: number | undefined;
  #size: number | undefined;
  #workers: PoolWorkers | null = null;
  readonly #calls = new Set<PoolCall>();
  #closed: ProcessError | null = null;
  readonly #plain: PoolMethods<false>;
  readonly #star: PoolMethods<true>;

  /** `workers`: at most this many workers (default: the machine's parallelism). */
  constructor(options: PoolOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new Pool(options): options must be an object such as { workers: 4 }');
    this.#requested = checkWorkers(options.workers);
    this.#plain = this.#methods(false);
    this.#star = this.#methods(true);
  }

  /** Results in input order. */
  get map(): PoolMethods<false>['map'] { return this.#plain.map; }
  /** Results in completion order. */
  get unorderedMap(): PoolMethods<false>['unorderedMap'] { return this.#plain.unorderedMap; }
  /** Results in input order as they become available; items are pulled lazily. */
  get imap(): PoolMethods<false>['imap'] { return this.#plain.imap; }
  /** Results in completion order as they come; items are pulled lazily. */
  get unorderedImap(): PoolMethods<false>['unorderedImap'] { return this.#plain.unorderedImap; }

  /** The same four methods, with each item (a tuple) spread into the arguments. */
  star(): PoolMethods<true> {
    return this.#star;
  }

  /** Waits for running calls to finish, then ends the workers. Later calls reject. */
  async close(): Promise<void> {
    this.#closed ??= new ProcessError('the pool is closed: create a new Pool to map more');
    await Promise.all([...this.#calls].map((call) => call.settled));
    await this.#workers?.close(this.#closed);
  }

  /** Ends the workers now: running calls reject with a `ProcessError`. */
  async terminate(): Promise<void> {
    this.#closed ??= new ProcessError('the pool is closed: create a new Pool to map more');
    const terminated = new ProcessError('the pool was terminated while this call was running');
    for (const call of this.#calls) call.abort(terminated);
    await this.#workers?.close(this.#closed);
  }

  /** `await using pool = new Pool()` closes it at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #methods<Star extends boolean>(spread: Star): PoolMethods<Star> {
    const start = this.#starter(spread);
    return {
      map: mapMethod(start, true),
      unorderedMap: mapMethod(start, false),
      imap: iterateMethod(start, true),
      unorderedImap: iterateMethod(start, false),
    };
  }

  #starter(spread: boolean): StartCall {
    return (signal, fn, items, options, lazy) => {
      const checked = checkCallOptions(options);
      const registration = registrationOf(fn);
      const call = new PoolCall({
        fn,
        registration: registration ?? { id: '' },
        isProcess: typeof fn === 'function' && fn.prototype instanceof Skprocess,
        spread,
        items: items as PoolItems<unknown>,
        options: checked,
        itemChunkCap: lazy ? (checked.chunkSize ?? ITERATE_MAX_CHUNK) : (checked.chunkSize ?? MAX_CHUNK),
        lookaheadChunks: lazy ? LOOKAHEAD_CHUNKS : Infinity,
        signals: [signal, checked.signal],
      }, this.#closed ?? (registration ? null : notMappable(fn)), () => this.#lease());
      this.#calls.add(call);
      void call.settled.then(() => this.#calls.delete(call));
      return call;
    };
  }

  /** The workers and their count, made on first use (the default count comes from the runtime adapter). */
  async #lease(): Promise<{ workers: PoolWorkers; size: number }> {
    this.#size ??= this.#requested ?? Math.max(1, (await platformAdapter()).parallelism());
    this.#workers ??= new PoolWorkers(this.#size);
    return { workers: this.#workers, size: this.#size };
  }
}
