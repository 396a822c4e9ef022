/**
 * A pool's workers: at most `size` of them, spawned on demand, leased to one task at a time and
 * reused across items and calls. A worker that ends badly is dropped, and the next lease spawns
 * its replacement. Idle workers never keep a Node app alive.
 */
import { ProcessError } from '../errors.ts';
import type { Registration } from '../runtime/registry.ts';
import type { WorkerSource } from '../process/supervisor.ts';
import { WorkerLife } from '../runtime/worker-life.ts';

interface Waiter {
  readonly registration: Registration;
  resolve(life: WorkerLife): void;
  reject(error: unknown): void;
}

/** The worker slots of one pool. */
export class PoolWorkers implements WorkerSource {
  readonly #size: number;
  readonly #all = new Set<WorkerLife>();
  readonly #idle: WorkerLife[] = [];
  readonly #waiting: Waiter[] = [];
  #spawning = 0;
  #closed: ProcessError | null = null;

  constructor(size: number) {
    this.#size = size;
  }

  /** Workers alive now (busy or idle). */
  get count(): number { return this.#all.size; }

  /** A worker that has loaded `registration`'s module: an idle one, a new one, or the next one freed. */
  async acquire(registration: Registration, signal?: AbortSignal): Promise<WorkerLife> {
    if (this.#closed) throw this.#closed;
    const life = this.#idle.pop() ?? (this.#all.size + this.#spawning < this.#size
      ? await this.#spawn(registration, signal)
      : await new Promise<WorkerLife>((resolve, reject) => { this.#waiting.push({ registration, resolve, reject }); }));
    life.keepAlive(true);
    if (life.hasLoaded(registration)) return life;
    try {
      await life.load(registration);
    } catch (error) {
      this.release(life, false);
      throw error;
    }
    return life;
  }

  /** Give `life` back: to the next waiter or the idle list when `reusable`, else it is ended and its slot freed. */
  release(life: WorkerLife, reusable: boolean): void {
    if (!reusable || life.ending || this.#closed || !this.#all.has(life)) {
      this.#drop(life);
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(life);
    else {
      life.keepAlive(false);
      this.#idle.push(life);
    }
  }

  /** End every worker once no lease is out; refuse new leases with `reason`. */
  close(reason: ProcessError): Promise<void> {
    this.#closed ??= reason;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(reason);
    return Promise.all([...this.#all].map((life) => this.#drop(life))).then(() => undefined);
  }

  async #spawn(registration: Registration, signal?: AbortSignal): Promise<WorkerLife> {
    this.#spawning += 1;
    let life: WorkerLife;
    try {
      life = await WorkerLife.spawn(registration, signal);
    } finally {
      this.#spawning -= 1;
    }
    if (this.#closed) {
      void life.end();
      throw this.#closed;
    }
    this.#all.add(life);
    // A worker that dies while idle (an error from a timer it left behind) is dropped, not leased again.
    void life.exited.then(() => this.#drop(life));
    return life;
  }

  #drop(life: WorkerLife): Promise<void> {
    const known = this.#all.delete(life);
    const idle = this.#idle.indexOf(life);
    if (idle >= 0) this.#idle.splice(idle, 1);
    const gone = life.end();
    // Its slot is free: a waiter gets a new worker.
    if (known && !this.#closed) {
      const waiter = this.#waiting.shift();
      if (waiter) this.#spawn(waiter.registration).then(waiter.resolve, waiter.reject);
    }
    return gone;
  }
}
