/**
 * One worker's life, from the parent's side: spawned through the platform adapter, wrapped with
 * Comlink, every call raced against the worker's end, terminated, and the Share locks it held
 * freed once it is gone. `Skprocess` (supervisor.ts) and `Pool` (pool/) both run on this.
 */
import * as Comlink from 'comlink';
import type { Adapter, ModuleRef, SpawnedWorker, WorkerExit } from './adapter.ts';
import type { WorkerApi } from './protocol.ts';
import type { Registration } from './registry.ts';
import { newLockToken, noteTerminated, releaseLocksOf } from './share-store.ts';

let adapterPromise: Promise<Adapter> | null = null;

/** The runtime's adapter, picked by the `#platform` import condition and loaded on first use. */
export function platformAdapter(): Promise<Adapter> {
  adapterPromise ??= import('#platform').then((platform: { adapter: Adapter }) => platform.adapter);
  return adapterPromise;
}

/** How an exited worker's reply, already delivered, may take to settle its call. */
const EXIT_GRACE = 50;

/** How a call on a worker ended: its value, a broken protocol (the call rejected), or the worker's end. */
export type Ended<T> = { readonly value: T } | { readonly broken: unknown } | { readonly exit: WorkerExit };

/** `promise`'s value, or `fallback` after `ms`; the timer does not outlive the wait. */
export async function atMost<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** The module part of a registration id (`src/a.ts#square` → `src/a.ts`): what a worker loads. */
export function moduleKeyOf(id: string): string {
  const hash = id.lastIndexOf('#');
  return hash < 0 ? id : id.slice(0, hash);
}

/** A spawned worker and what hangs on it. */
export class WorkerLife {
  readonly remote: Comlink.Remote<WorkerApi>;
  /** The token the worker holds Share locks under: freed if it dies holding one. */
  readonly lockToken = newLockToken();
  readonly #worker: SpawnedWorker;
  readonly #adapter: Adapter;
  /** Modules (by key) this worker has loaded, or is loading. */
  readonly #modules = new Map<string, Promise<void>>();
  #ended: Promise<void> | null = null;

  private constructor(worker: SpawnedWorker, adapter: Adapter, spawnedFor: Registration) {
    this.#worker = worker;
    this.#adapter = adapter;
    this.remote = Comlink.wrap<WorkerApi>(worker.endpoint);
    this.#modules.set(moduleKeyOf(spawnedFor.id), Promise.resolve());
  }

  /** Spawn a worker that serves `registration`'s module; none once `signal` has aborted. */
  static async spawn(registration: Registration, signal?: AbortSignal): Promise<WorkerLife> {
    const adapter = await platformAdapter();
    signal?.throwIfAborted();
    return new WorkerLife(await adapter.spawn(registration, signal), adapter, registration);
  }

  /** Settles once, when the worker has ended for any reason. */
  get exited(): Promise<WorkerExit> { return this.#worker.exited; }

  /** Whether `end()` or `terminate()` was called. */
  get ending(): boolean { return this.#ended !== null; }

  /** Whether an idle worker may keep the app alive (Node); a busy one does. */
  keepAlive(on: boolean): void { this.#worker.keepAlive?.(on); }

  /** Make sure the worker has loaded the module `registration` lives in (pool workers load modules on first use). */
  load(registration: Registration): Promise<void> {
    const key = moduleKeyOf(registration.id);
    let loading = this.#modules.get(key);
    if (!loading) {
      loading = this.#adapter.moduleOf(registration).then((ref: ModuleRef) => this.#loadOrFail(ref));
      this.#modules.set(key, loading);
      loading.catch(() => this.#modules.delete(key));
    }
    return loading;
  }

  async #loadOrFail(ref: ModuleRef): Promise<void> {
    const ended = await this.race(this.remote.load(ref));
    if ('value' in ended) return;
    throw 'exit' in ended
      ? new Error(`the worker ${ended.exit.description} while loading ${ref.key}`, { cause: ended.exit.error })
      : new Error(`the worker could not load ${ref.key}: ${messageOf(ended.broken)}`, { cause: ended.broken });
  }

  /**
   * Settle `call`, or learn that the worker ended first. Comlink leaves a call pending forever
   * when its worker dies; this never does.
   */
  async race<T>(call: Promise<T>): Promise<Ended<T>> {
    const settled = call.then((value): Ended<T> => ({ value }), (broken: unknown): Ended<T> => ({ broken }));
    const ended = await Promise.race([settled, this.#worker.exited.then((exit): Ended<T> => ({ exit }))]);
    if (!('exit' in ended)) return ended;
    // The worker's last messages are delivered before its exit, but the call they answer settles a
    // few microtasks later: a reply already on its way still counts.
    return atMost(settled.then((result) => ('value' in result ? result : ended)), EXIT_GRACE, ended);
  }

  /** End the worker now (even inside `while (true) {}`), without waiting for it to be gone. */
  terminate(): void {
    this.#ended ??= this.#end();
  }

  /** End the worker and wait until it is gone and its Share locks are freed. */
  end(): Promise<void> {
    this.#ended ??= this.#end();
    return this.#ended;
  }

  async #end(): Promise<void> {
    this.remote[Comlink.releaseProxy]();
    noteTerminated(this.lockToken);
    this.#worker.terminate();
    // Only once the worker is gone for sure: it may have died in the middle of a Share operation.
    await this.#worker.exited;
    releaseLocksOf(this.lockToken);
  }
}

/** An error's message, or the value as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
