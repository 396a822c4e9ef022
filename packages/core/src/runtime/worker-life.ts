/**
 * One worker's life, from the parent's side: spawned through the platform adapter, wrapped with
 * Comlink, every call raced against the worker's end, terminated, and the Share locks it held
 * freed once it is gone. `Skprocess` (supervisor.ts) and `Pool` (pool/) both run on this.
 */
import * as Comlink from 'comlink';
import type { Adapter, ModuleRef, SpawnedWorker, WorkerExit } from './adapter.ts';
import type { TaskBatch, TaskOutcome, TaskReply, TaskRequest, WorkerApi } from '../protocol.ts';
import { moduleKeyOf, type Registration } from './registry.ts';
import { ProcessError } from '../errors.ts';
import { newLockToken, noteTerminated, releaseLocksOf } from '../share/store.ts';
import { reportUncaught } from './uncaught.ts';

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
  /** Calls waiting on this worker: told once, when it ends (one listener per worker, not one per call). */
  readonly #onExit = new Set<(exit: WorkerExit) => void>();
  /** The parent's end of the task port, opened on the first task. */
  #tasks: MessagePort | null = null;
  #nextTask = 0;
  readonly #pendingTasks = new Map<number, (ended: Ended<TaskOutcome>) => void>();
  /** How the worker ended, once it has. */
  #exit: WorkerExit | null = null;

  private constructor(worker: SpawnedWorker, adapter: Adapter, spawnedFor: Registration) {
    this.#worker = worker;
    this.#adapter = adapter;
    this.remote = Comlink.wrap<WorkerApi>(worker.endpoint);
    if (worker.preloaded !== false) this.#modules.set(moduleKeyOf(spawnedFor.id), Promise.resolve());
    void worker.exited.then((exit) => {
      this.#exit = exit;
      // A crash nothing waits for (after the worker answered, or while idle in a pool) is reported, not lost.
      if (exit.error !== undefined && this.#onExit.size === 0 && this.#pendingTasks.size === 0 && !this.ending) {
        reportUncaught(new ProcessError(
          `a worker for ${spawnedFor.id} ${exit.description} after it had answered; nothing was waiting for it, so it is reported ` +
            'here (onUncaught() from @suitkaise/core receives these). Look for a timer or promise the worker code left running',
          { originalError: exit.error },
        ));
      }
      for (const listener of this.#onExit) listener(exit);
      this.#onExit.clear();
      // A reply already on its way still counts (unless the worker was ended on purpose): the rest end with it.
      if (this.ending) this.#failTasks({ exit });
      else setTimeout(() => this.#failTasks({ exit }), EXIT_GRACE);
    });
  }

  /** Spawn a worker that serves `registration`'s module (loaded when it returns); none once `signal` has aborted. */
  static async spawn(registration: Registration, signal?: AbortSignal): Promise<WorkerLife> {
    const adapter = await platformAdapter();
    signal?.throwIfAborted();
    const life = new WorkerLife(await adapter.spawn(registration, signal), adapter, registration);
    // A worker that loads modules on demand (a browser build's shared entry) loads this one now.
    if (!life.hasLoaded(registration)) {
      try {
        await life.load(registration);
      } catch (error) {
        void life.end();
        throw error;
      }
    }
    return life;
  }

  /** Settles once, when the worker has ended for any reason. */
  get exited(): Promise<WorkerExit> { return this.#worker.exited; }

  /** Whether `end()` or `terminate()` was called. */
  get ending(): boolean { return this.#ended !== null; }

  /** Whether an idle worker may keep the app alive (Node); a busy one does. */
  keepAlive(on: boolean): void {
    this.#worker.keepAlive?.(on);
    // A Node MessagePort with a listener keeps the app alive too.
    const port = this.#tasks as (MessagePort & { ref?: () => void; unref?: () => void }) | null;
    if (on) port?.ref?.();
    else port?.unref?.();
  }

  /** Whether the worker has loaded (or is loading) the module `registration` lives in. */
  hasLoaded(registration: Registration): boolean {
    return this.#modules.has(moduleKeyOf(registration.id));
  }

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
    let listener: ((exit: WorkerExit) => void) | undefined;
    const exited = new Promise<Ended<T>>((resolve) => {
      // Already gone: its exit listeners have run, so this one would never be called.
      if (this.#exit) return resolve({ exit: this.#exit });
      listener = (exit) => resolve({ exit });
      this.#onExit.add(listener);
    });
    let ended: Ended<T>;
    try {
      ended = await Promise.race([settled, exited]);
    } finally {
      if (listener) this.#onExit.delete(listener);
    }
    if (!('exit' in ended)) return ended;
    // Ended on purpose (a timeout, kill(), an abort): no reply is on its way, and a timeout must not fire late.
    if (this.ending) return ended;
    // The worker's last messages are delivered before its exit, but the call they answer settles a
    // few microtasks later: a reply already on its way still counts.
    const exit = ended;
    return atMost(settled.then((result) => ('value' in result ? result : exit)), EXIT_GRACE, exit);
  }

  /**
   * Run a pool task on the worker's task port: its outcome, or how the worker ended first.
   * `transfer` moves the ports the batch's items hold.
   */
  runTasks(batch: TaskBatch, transfer: Transferable[]): Promise<Ended<TaskOutcome>> {
    if (this.#ended || this.#exit) return this.#worker.exited.then((exit) => ({ exit }));
    const port = this.#tasks ?? this.#openTasks();
    const seq = this.#nextTask++;
    return new Promise((resolve) => {
      this.#pendingTasks.set(seq, resolve);
      const message: TaskRequest = { kind: 'task', seq, batch };
      port.postMessage(message, transfer);
    });
  }

  #openTasks(): MessagePort {
    const channel = new MessageChannel();
    this.#tasks = channel.port1;
    channel.port1.onmessage = (event: MessageEvent) => this.#taskReply(event.data);
    // Posted before the worker listens: the port queues them until it does.
    this.remote.openTasks(Comlink.transfer(channel.port2, [channel.port2])).catch((broken: unknown) => this.#failTasks({ broken }));
    return channel.port1;
  }

  /** A reply on the task port; anything else there breaks the protocol: the pending tasks fail, naming it. */
  #taskReply(data: unknown): void {
    const message = (typeof data === 'object' && data !== null ? data : {}) as TaskReply;
    switch (message.kind) {
      case 'task-done': {
        const resolve = this.#pendingTasks.get(message.seq);
        this.#pendingTasks.delete(message.seq);
        resolve?.({ value: message.outcome });
        return;
      }
      case 'unknown-message':
        return this.#failTasks({ broken: new Error(`the worker got a message it does not know on the task port: ${message.message}`) });
      default:
        message satisfies never; // every kind of TaskReply has its case
        return this.#failTasks({ broken: new Error(`the worker sent a message the task port does not know: ${describeMessage(data)}`) });
    }
  }

  #failTasks(ended: Ended<never>): void {
    const pending = [...this.#pendingTasks.values()];
    this.#pendingTasks.clear();
    for (const resolve of pending) resolve(ended);
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
    if (this.#tasks) {
      this.#tasks.onmessage = null;
      this.#tasks.close();
    }
    this.remote[Comlink.releaseProxy]();
    noteTerminated(this.lockToken);
    this.#worker.terminate();
    // Only once the worker is gone for sure: it may have died in the middle of a Share operation.
    await this.#worker.exited;
    releaseLocksOf(this.lockToken);
  }
}

/**
 * Names a message its receiver does not know, for the error that reports it: its `kind`, or, for
 * something that is not a suitkaise message at all, what it looks like.
 */
export function describeMessage(message: unknown): string {
  const kind = typeof message === 'object' && message !== null ? (message as { kind?: unknown }).kind : undefined;
  if (typeof kind === 'string') return `kind '${kind}'`;
  let shown: string;
  try {
    shown = JSON.stringify(message)?.slice(0, 120) ?? String(message);
  } catch {
    shown = String(message);
  }
  return `${shown} (a message without a string kind)`;
}

/** An error's message, or the value as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
