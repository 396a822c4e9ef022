/**
 * One map call: items pulled from the input (lazily, within a look-ahead), cut into chunks, sent to
 * the pool's workers on up to `workers` lanes, results handed out a chunk at a time in completion
 * order. An item that throws, a worker that dies, or an abort ends the call; the pool stays usable.
 */
import { ProcessError, RunError } from '../errors.ts';
import type { ProcessBinding, Skprocess } from '../process/process.ts';
import type { Registration } from '../runtime/registry.ts';
import { deserialize } from '../serializer/index.ts';
import { packValues, unpackValues } from './plain.ts';
import { superviseProcess } from '../process/supervisor.ts';
import { markTransferred, transferFor } from '../serializer/transfer.ts';
import { Queue } from '../queue.ts';
import { messageOf, type WorkerLife } from '../runtime/worker-life.ts';
import { meanMsPerItem, nextChunkSize } from './chunking.ts';
import type { MapOptions, PoolItems } from './types.ts';
import type { PoolWorkers } from './workers.ts';

/** Results of consecutive items, the first of them at input index `start`. */
export interface ResultChunk {
  readonly start: number;
  readonly values: unknown[];
}

/** Consecutive items, the first of them at input index `start`. */
interface ItemChunk {
  readonly start: number;
  readonly items: unknown[];
}

/** What a call needs to know. */
export interface CallSpec {
  readonly fn: object;
  readonly registration: Registration;
  /** The registration is an `Skprocess` class: one process per item. */
  readonly isProcess: boolean;
  /** `star()`: items are argument tuples. */
  readonly spread: boolean;
  readonly items: PoolItems<unknown>;
  readonly options: MapOptions;
  /** The largest chunk (iterators keep chunks small so results flow). */
  readonly itemChunkCap: number;
  /** How many chunks per worker may be pulled ahead of the consumer (Infinity: pull everything). */
  readonly lookaheadChunks: number;
  /** Any of these aborting stops the call, which rejects with its reason. */
  readonly signals: ReadonlyArray<AbortSignal | undefined>;
}

type Source =
  | { readonly kind: 'array'; readonly items: readonly unknown[] }
  | { readonly kind: 'iterator'; readonly iterator: Iterator<unknown> | AsyncIterator<unknown> };

function sizeOf(items: PoolItems<unknown>): number | undefined {
  if (Array.isArray(items)) return items.length;
  return items instanceof Set || items instanceof Map ? items.size : undefined;
}

function sourceOf(items: PoolItems<unknown>): Source {
  if (Array.isArray(items)) return { kind: 'array', items };
  const asyncIterator = (items as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') return { kind: 'iterator', iterator: asyncIterator.call(items) };
  const iterator = (items as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof iterator === 'function') return { kind: 'iterator', iterator: iterator.call(items) };
  throw new TypeError('items must be an array, an iterable or an async iterable');
}

/** The error a call rejects with when item `index` threw `thrown`. */
export function itemError(index: number, name: string, thrown: unknown): InstanceType<typeof RunError> {
  const error = new RunError(thrown, 0);
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  error.message = `item ${index} of ${name} failed: ${what}`;
  return error;
}

/** A running call: an async iterator of result chunks in completion order. */
export class PoolCall implements AsyncIterator<ResultChunk> {
  readonly #spec: CallSpec;
  readonly #name: string;
  readonly #total: number | undefined;
  #workers!: PoolWorkers;
  #lanes = 1;
  #lookahead = Infinity;
  #source: Source | null = null;
  #sourceDone = false;
  #pulling: Promise<unknown> = Promise.resolve();
  #pulled = 0;
  #consumed = 0;
  #done = 0;
  /** Worker time and items of every chunk so far, for the chunk-size policy. */
  #timedMs = 0;
  #timedItems = 0;
  /** Finished chunks not yet taken. */
  readonly #ready = new Queue<ResultChunk>();
  #finished = false;
  #failure: { error: unknown } | null = null;
  #stopped = false;
  #wakeConsumer: (() => void) | null = null;
  #wakeLanes: Array<() => void> = [];
  readonly #running = new Set<WorkerLife>();
  readonly #processes = new Set<ProcessBinding>();
  readonly #onAbort: Array<() => void> = [];
  /** Settles when no lane of this call runs any more (its workers are back in the pool or ended). */
  readonly settled: Promise<void>;

  /**
   * @param refusal - a reason to fail at once (the pool is closed, `fn` is not registered)
   * @param lease - the pool's workers and their count
   */
  constructor(spec: CallSpec, refusal: ProcessError | null, lease: () => Promise<{ workers: PoolWorkers; size: number }>) {
    this.#spec = spec;
    this.#name = spec.registration.exportName ?? spec.registration.id;
    this.#total = sizeOf(spec.items);
    this.settled = this.#start(refusal, lease).finally(() => {
      this.#finished = true;
      for (const remove of this.#onAbort.splice(0)) remove();
      this.#wake();
    });
  }

  async #start(refusal: ProcessError | null, lease: () => Promise<{ workers: PoolWorkers; size: number }>): Promise<void> {
    if (refusal) return this.#fail(refusal);
    try {
      this.#source = sourceOf(this.#spec.items);
    } catch (error) {
      return this.#fail(error);
    }
    for (const signal of this.#spec.signals) {
      if (!signal) continue;
      if (signal.aborted) return this.#fail(signal.reason);
      const abort = () => this.#fail(signal.reason);
      signal.addEventListener('abort', abort, { once: true });
      this.#onAbort.push(() => signal.removeEventListener('abort', abort));
    }
    const { workers, size } = await lease();
    this.#workers = workers;
    this.#lanes = Math.max(1, Math.min(size, this.#total ?? size));
    this.#lookahead = this.#spec.lookaheadChunks * size * this.#spec.itemChunkCap;
    const lanes: Array<Promise<void>> = [];
    for (let i = 0; i < this.#lanes; i += 1) lanes.push(this.#lane().catch((error: unknown) => this.#fail(error)));
    await Promise.all(lanes);
  }

  /** Stop the call: it rejects with `reason`. */
  abort(reason: unknown): void {
    this.#fail(reason);
  }

  /** The consumer took `count` results (frees look-ahead room). */
  consumed(count = 1): void {
    this.#consumed += count;
    if (this.#wakeLanes.length > 0) for (const wake of this.#wakeLanes.splice(0)) wake();
  }

  async next(): Promise<IteratorResult<ResultChunk>> {
    for (;;) {
      if (this.#failure) throw this.#failure.error;
      const chunk = this.#ready.shift();
      if (chunk) return { value: chunk, done: false };
      // Done once every item is in, without waiting for the lanes to wind down.
      if (this.#finished || (this.#sourceDone && this.#done === this.#pulled)) return { value: undefined, done: true };
      await new Promise<void>((resolve) => { this.#wakeConsumer = resolve; });
    }
  }

  /** The consumer stopped early (`break`): queued items never start, running ones are stopped. */
  async return(): Promise<IteratorResult<ResultChunk>> {
    this.#stop();
    await this.#closeSource();
    return { value: undefined, done: true };
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = null;
    wake?.();
  }

  #fail(error: unknown): void {
    if (this.#failure || this.#stopped) return;
    this.#failure = { error };
    this.#stop();
    void this.#closeSource();
    this.#wake();
  }

  #stop(): void {
    this.#stopped = true;
    for (const wake of this.#wakeLanes.splice(0)) wake();
    for (const life of this.#running) life.terminate();
    for (const process of this.#processes) process.kill();
  }

  async #closeSource(): Promise<void> {
    if (this.#sourceDone) return;
    this.#sourceDone = true;
    if (this.#source?.kind !== 'iterator') return;
    try {
      await this.#pulling;
      await this.#source.iterator.return?.();
    } catch {
      // The input's own cleanup failed; the call already has its outcome.
    }
  }

  /** Up to `count` next items; fewer (or none) at the input's end. */
  #pull(count: number): ItemChunk | Promise<ItemChunk> {
    const source = this.#source!;
    const start = this.#pulled;
    if (source.kind === 'array') {
      const items = source.items.slice(start, start + count);
      this.#pulled += items.length;
      if (this.#pulled >= source.items.length) this.#sourceDone = true;
      return { start, items };
    }
    // Iterators are read one pull at a time, in order: each chunk's items are consecutive.
    const pulled = this.#pulling.then(async () => {
      const first = this.#pulled;
      const items: unknown[] = [];
      while (items.length < count && !this.#sourceDone && !this.#stopped) {
        const step = await source.iterator.next();
        if (step.done) {
          this.#sourceDone = true;
          break;
        }
        items.push(step.value);
        this.#pulled += 1;
      }
      return { start: first, items };
    });
    this.#pulling = pulled.catch(() => undefined);
    return pulled;
  }

  /** Waits until the look-ahead has room; returns how many items may be pulled (0: stop). */
  async #room(): Promise<number> {
    for (;;) {
      if (this.#stopped) return 0;
      const room = this.#lookahead - (this.#pulled - this.#consumed);
      if (room > 0) return room;
      await new Promise<void>((resolve) => this.#wakeLanes.push(resolve));
    }
  }

  async #lane(): Promise<void> {
    while (!this.#stopped && !this.#sourceDone) {
      const room = this.#lookahead === Infinity ? Infinity : await this.#room();
      if (room === 0) return;
      const size = this.#spec.isProcess ? 1 : Math.min(room, this.#spec.itemChunkCap, nextChunkSize({
        requested: this.#spec.options.chunkSize,
        msPerItem: meanMsPerItem(this.#timedMs, this.#timedItems),
      }));
      let chunk: ItemChunk;
      try {
        const pulled = this.#pull(size);
        chunk = pulled instanceof Promise ? await pulled : pulled;
      } catch (error) {
        this.#fail(error);
        return;
      }
      if (chunk.items.length === 0 || this.#stopped) return;
      if (this.#spec.isProcess) await this.#runProcess(chunk.start, chunk.items[0]);
      else await this.#runChunk(chunk);
    }
  }

  #deliver(chunk: ResultChunk): void {
    if (this.#stopped || chunk.values.length === 0) return;
    this.#ready.push(chunk);
    this.#done += chunk.values.length;
    this.#wake();
    this.#spec.options.onProgress?.(this.#done, this.#total);
  }

  async #runChunk({ start, items }: ItemChunk): Promise<void> {
    const packed = packValues(items);
    const life = await this.#workers.acquire(this.#spec.registration);
    if (this.#stopped) {
      this.#workers.release(life, true);
      return;
    }
    this.#running.add(life);
    const moving = packed.plain ? [] : transferFor(packed.values);
    const running = life.runTasks({ id: this.#spec.registration.id, items: packed.values, plain: packed.plain, spread: this.#spec.spread }, moving);
    if (moving.length > 0) markTransferred(moving);
    const ended = await running;
    this.#running.delete(life);
    if (this.#stopped) {
      this.#workers.release(life, 'value' in ended && !life.ending);
      return;
    }
    if (!('value' in ended)) {
      this.#workers.release(life, false);
      const where = items.length === 1 ? `item ${start}` : `items ${start}–${start + items.length - 1}`;
      this.#fail('exit' in ended
        ? new ProcessError(`a pool worker ${ended.exit.description} while running ${where} of ${this.#name}; it has been replaced`, { originalError: ended.exit.error })
        : new ProcessError(`a pool worker broke the protocol while running ${where} of ${this.#name}: ${messageOf(ended.broken)}`, { originalError: ended.broken }));
      return;
    }
    this.#workers.release(life, true);
    const outcome = ended.value;
    const values = unpackValues(outcome.results, outcome.plain);
    this.#timedMs += outcome.elapsed;
    this.#timedItems += values.length + (outcome.failedAt >= 0 ? 1 : 0);
    this.#deliver({ start, values });
    if (outcome.failedAt >= 0) {
      const thrown = outcome.error === null ? undefined : deserialize(outcome.error);
      this.#fail(itemError(start + outcome.failedAt, this.#name, thrown));
    }
  }

  async #runProcess(index: number, item: unknown): Promise<void> {
    let binding: ProcessBinding;
    try {
      const args = this.#spec.spread ? (item as unknown[]) : [item];
      const instance = new (this.#spec.fn as new (...args: unknown[]) => Skprocess<unknown>)(...args);
      binding = superviseProcess(instance, this.#spec.registration, this.#workers);
    } catch (error) {
      this.#fail(itemError(index, this.#name, error));
      return;
    }
    this.#processes.add(binding);
    try {
      const value = await binding.result();
      this.#deliver({ start: index, values: [value] });
    } catch (error) {
      this.#fail(itemError(index, this.#name, error));
    } finally {
      this.#processes.delete(binding);
    }
  }
}
