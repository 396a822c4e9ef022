/**
 * One map call: items pulled from the input (lazily, within a look-ahead), cut into chunks,
 * sent to the pool's workers on `workers` lanes, results handed out in completion order. An item
 * that throws, a worker that dies, or an abort ends the call; the pool stays usable.
 */
import * as Comlink from 'comlink';
import { ProcessError, RunError } from '../errors.ts';
import type { Skprocess } from '../process.ts';
import type { Registration } from '../registry.ts';
import { deserialize, serialize } from '../serializer/index.ts';
import { superviseProcess } from '../supervisor.ts';
import type { ProcessBinding } from '../process.ts';
import { markTransferred, transferFor } from '../transfer.ts';
import { messageOf, type WorkerLife } from '../worker-life.ts';
import { MAX_CHUNK, nextChunkSize, updatedMsPerItem } from './chunking.ts';
import type { MapOptions, PoolItems } from './types.ts';
import type { PoolWorkers } from './workers.ts';

/** One result, with the input index of its item. */
export interface Indexed {
  readonly index: number;
  readonly value: unknown;
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
  /** `imap` / `unorderedImap`: pull items only within a look-ahead of what the consumer has taken. */
  readonly lazy: boolean;
  /** The largest chunk (iterators keep chunks small so results flow). */
  readonly itemChunkCap: number;
  /** How many chunks per worker may be pulled ahead of the consumer (Infinity: pull everything). */
  readonly lookaheadChunks: number;
  /** Aborts the call; its reason is what the call rejects with. */
  readonly signal: AbortSignal;
}

type Source = Iterator<unknown> | AsyncIterator<unknown>;

function sizeOf(items: PoolItems<unknown>): number | undefined {
  if (Array.isArray(items)) return items.length;
  const size = (items as { size?: unknown }).size;
  return items instanceof Set || items instanceof Map ? (size as number) : undefined;
}

function sourceOf(items: PoolItems<unknown>): Source {
  const asyncIterator = (items as AsyncIterable<unknown>)[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') return asyncIterator.call(items);
  const iterator = (items as Iterable<unknown>)[Symbol.iterator];
  if (typeof iterator === 'function') return iterator.call(items);
  throw new TypeError('items must be an array, an iterable or an async iterable');
}

/** The error a call rejects with when item `index` threw `thrown`. */
export function itemError(index: number, name: string, thrown: unknown): InstanceType<typeof RunError> {
  const error = new RunError(thrown, 0);
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  error.message = `item ${index} of ${name} failed: ${what}`;
  return error;
}

/** A running call: an async iterator of results in completion order. */
export class PoolCall implements AsyncIterableIterator<Indexed> {
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
  #msPerItem: number | undefined;
  readonly #ready: Indexed[] = [];
  #finished = false;
  #failure: { error: unknown } | null = null;
  #stopped = false;
  #wakeConsumer: (() => void) | null = null;
  #wakeLanes: Array<() => void> = [];
  readonly #running = new Set<WorkerLife>();
  readonly #processes = new Set<ProcessBinding>();
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
    const { signal } = this.#spec;
    if (signal.aborted) return this.#fail(signal.reason);
    signal.addEventListener('abort', () => this.#fail(signal.reason), { once: true });
    const { workers, size } = await lease();
    this.#workers = workers;
    this.#lanes = size;
    this.#lookahead = this.#spec.lookaheadChunks * size * this.#spec.itemChunkCap;
    await Promise.all(Array.from({ length: size }, () => this.#lane().catch((error: unknown) => this.#fail(error))));
  }

  /** Stop the call: it rejects with `reason`. */
  abort(reason: unknown): void {
    this.#fail(reason);
  }

  /** The consumer took `count` results (frees look-ahead room). */
  consumed(count = 1): void {
    this.#consumed += count;
    for (const wake of this.#wakeLanes.splice(0)) wake();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Indexed> { return this; }

  async next(): Promise<IteratorResult<Indexed>> {
    for (;;) {
      if (this.#failure) throw this.#failure.error;
      const value = this.#ready.shift();
      if (value) return { value, done: false };
      if (this.#finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => { this.#wakeConsumer = resolve; });
    }
  }

  /** The consumer stopped early (`break`): queued items never start, running ones are stopped. */
  async return(): Promise<IteratorResult<Indexed>> {
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
    try {
      await this.#pulling;
      await this.#source?.return?.();
    } catch {
      // The input's own cleanup failed; the call already has its outcome.
    }
  }

  /** Up to `count` next items with their indices; fewer (or none) at the input's end. */
  #pull(count: number): Promise<Array<{ index: number; item: unknown }>> {
    const pulled = this.#pulling.then(async () => {
      const chunk: Array<{ index: number; item: unknown }> = [];
      while (chunk.length < count && !this.#sourceDone && !this.#stopped) {
        const step = await this.#source!.next();
        if (step.done) {
          this.#sourceDone = true;
          break;
        }
        chunk.push({ index: this.#pulled, item: step.value });
        this.#pulled += 1;
      }
      return chunk;
    });
    this.#pulling = pulled.catch(() => undefined);
    return pulled;
  }

  /** Waits until the look-ahead has room; returns how many items may be pulled. */
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
      const room = await this.#room();
      if (room === 0) return;
      const size = this.#spec.isProcess ? 1 : Math.min(room, this.#spec.itemChunkCap, nextChunkSize({
        requested: this.#spec.options.chunkSize,
        remaining: this.#total === undefined ? undefined : this.#total - this.#pulled,
        workers: this.#lanes,
        msPerItem: this.#msPerItem,
      }));
      let chunk: Array<{ index: number; item: unknown }>;
      try {
        chunk = await this.#pull(size);
      } catch (error) {
        this.#fail(error);
        return;
      }
      if (chunk.length === 0 || this.#stopped) return;
      if (this.#spec.isProcess) await this.#runProcess(chunk[0]!);
      else await this.#runChunk(chunk);
    }
  }

  #deliver(results: Indexed[]): void {
    if (this.#stopped) return;
    this.#ready.push(...results);
    this.#done += results.length;
    this.#wake();
    if (results.length > 0) this.#spec.options.onProgress?.(this.#done, this.#total);
  }

  async #runChunk(chunk: Array<{ index: number; item: unknown }>): Promise<void> {
    const first = chunk[0]!.index;
    const last = chunk[chunk.length - 1]!.index;
    const items = serialize(chunk.map(({ item }) => item));
    const life = await this.#workers.acquire(this.#spec.registration);
    if (this.#stopped) {
      this.#workers.release(life, true);
      return;
    }
    this.#running.add(life);
    const moving = transferFor(items);
    const call = life.remote.runTasks(Comlink.transfer({ id: this.#spec.registration.id, items, spread: this.#spec.spread }, moving));
    markTransferred(moving);
    const ended = await life.race(call);
    this.#running.delete(life);
    if (this.#stopped) {
      this.#workers.release(life, 'value' in ended && !life.ending);
      return;
    }
    if (!('value' in ended)) {
      this.#workers.release(life, false);
      const where = chunk.length === 1 ? `item ${first}` : `items ${first}–${last}`;
      this.#fail('exit' in ended
        ? new ProcessError(`a pool worker ${ended.exit.description} while running ${where} of ${this.#name}; it has been replaced`, { originalError: ended.exit.error })
        : new ProcessError(`a pool worker broke the protocol while running ${where} of ${this.#name}: ${messageOf(ended.broken)}`, { originalError: ended.broken }));
      return;
    }
    this.#workers.release(life, true);
    const outcome = ended.value;
    const values = deserialize(outcome.results) as unknown[];
    this.#msPerItem = updatedMsPerItem(this.#msPerItem, outcome.elapsed, values.length + (outcome.failedAt >= 0 ? 1 : 0));
    this.#deliver(values.map((value, i) => ({ index: chunk[i]!.index, value })));
    if (outcome.failedAt >= 0) {
      const thrown = outcome.error === null ? undefined : deserialize(outcome.error);
      this.#fail(itemError(chunk[outcome.failedAt]!.index, this.#name, thrown));
    }
  }

  async #runProcess({ index, item }: { index: number; item: unknown }): Promise<void> {
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
      this.#deliver([{ index, value }]);
    } catch (error) {
      this.#fail(itemError(index, this.#name, error));
    } finally {
      this.#processes.delete(binding);
    }
  }
}

/** The chunk cap for `map` (no look-ahead bound). */
export const MAP_MAX_CHUNK = MAX_CHUNK;
