/**
 * `Share`: an object whose properties live in shared memory, so every process and pool worker it
 * is passed to reads and writes the same values. Reads are synchronous and see every write that
 * completed before them; each write, `update`, `atomic` and method call on a stored object runs
 * under one cross-thread lock (see store.ts and lock.ts). Values are kept in the forms of forms.ts:
 * numbers and plain data in forms of their own, everything else in cucumber's byte form.
 */
import { sharedMemoryAvailable } from '../runtime/shared-memory.ts';
import { ShareStore } from './store.ts';
import { formOf, sameForm, valueOf, type Form } from './forms.ts';
import { containsReconnector, isObject, wireMethods } from './values.ts';
import { Reconnector, reconnectAll as reconnectValue } from '../reconnect/index.ts';
import { deserialize, serialize, type Codec } from '../serializer/index.ts';

/** Internal key of the log of writes made while stopped (not a valid user key: it starts with a NUL). */
const PENDING = '\u0000pending';
const SELF = Symbol('self');

/** A write made while the Share was stopped, applied in order at `start()`. */
type PendingOp =
  | { readonly k: 'set'; readonly key: string; readonly value: unknown }
  | { readonly k: 'delete'; readonly key: string }
  | { readonly k: 'call'; readonly key: string; readonly method: string; readonly args: unknown[] };

/** What a Share handle carries to a worker: the shared memory itself. */
interface ShareState {
  readonly buffer: SharedArrayBuffer;
}

function noSharedMemory(): Error {
  return new Error(
    'Share needs SharedArrayBuffer, which this page does not have because it is not cross-origin isolated. ' +
      'Serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
      '"Cross-Origin-Embedder-Policy: require-corp" (the suitkaise() Vite plugin sends them for its dev and preview servers)',
  );
}

/** The Share's own API, as typed for users (see {@link Share}). */
export interface ShareMethods<T extends object> {
  /**
   * Atomically replace `key`'s value with `fn(current)` and return the new value. `fn` must be
   * synchronous and short: it runs holding the Share's lock. The transform compiles
   * `share.x += v` (and the other compound assignments) into this.
   */
  update<K extends keyof T & string>(key: K, fn: (current: T[K]) => T[K]): T[K];
  /**
   * Run `fn` holding the Share's lock: its reads and writes of `share` happen as one step that no
   * other thread interleaves with. `fn` must be synchronous. Returns what `fn` returns.
   */
  atomic<R>(fn: (share: Share<T>) => R): R;
  /** Apply the writes made while stopped, in order, and go on sharing. */
  start(): void;
  /**
   * Stop applying writes: property writes and method calls that change a stored object are kept,
   * in shared memory, and applied in order at `start()`; reads (and read-only method calls) see
   * the values as they were; `update()` and `atomic()` throw until `start()`. Resolves `true`
   * once no operation is in flight, `false` when one still holds the lock after `timeout` ms
   * (then it stays running).
   */
  stop(timeout?: number): Promise<boolean>;
  /** Same as {@link stop}. */
  exit(timeout?: number): Promise<boolean>;
  /** Remove every stored value (and the writes waiting for `start()`). */
  clear(): void;
  /**
   * Reconnect every `Reconnector` stored in the Share (a database client, a socket … is stored as
   * a placeholder), all at once. Resolves to a record with one entry per key that held one: the
   * live resource for a key that held a Reconnector, or a copy of the value with the live resources
   * in place of its Reconnectors. The Share itself keeps the placeholders (a live resource cannot
   * be shared).
   * @throws ReconnectError (as a rejection) listing every resource that could not be reconnected.
   */
  reconnectAll(): Promise<Record<string, unknown>>;
  /** Whether writes apply now (`false` between `stop()` and `start()`). */
  readonly isRunning: boolean;
  /** Whether a write made while stopped failed when `start()` applied it. */
  readonly hasError: boolean;
  /** Same as `stop()`, without waiting. */
  [Symbol.dispose](): void;
}

/**
 * A Share: `T`'s properties, stored in shared memory, plus {@link ShareMethods}.
 *
 * Reading a property returns a copy of the stored value: a number, string … as it is, and for an
 * object a real Array, Map, Set, Date or class instance that can be iterated, compared and sent.
 * Calling a method on that copy acts on the stored value, atomically (`share.seen.push(x)`), and
 * returns what the method returns there; a method that returns its receiver (`map.set(k, v)`)
 * returns a new copy, so chained calls act on the stored value too. Writing a property of the copy
 * (`share.cfg.level = 2`) changes only the copy: write the whole value, or use `update`.
 *
 * ```ts
 * const share = new Share<{ counter: number; seen: string[] }>();
 * share.counter = 0; share.seen = [];
 * // in a process given `share`:  share.counter += 1;  share.seen.push('x');   (both atomic)
 * ```
 */
export type Share<T extends object = Record<string, unknown>> = ShareMethods<T> & T;

/** The `Share` constructor. */
export interface ShareConstructor {
  /**
   * A new, empty, running Share.
   * @throws Error in a browser page that is not cross-origin isolated (it says which headers to send).
   */
  new <T extends object = Record<string, unknown>>(): Share<T>;
  readonly prototype: ShareMethods<object>;
}

/** The memory of each Share handle (the proxy users hold), for the serializer's codec. */
const stores = new WeakMap<object, ShareStore>();

/** Names of the Share's own members: `ShareHandle.prototype`'s, looked up once. */
const isMember = (prop: string): boolean => Object.hasOwn(ShareHandle.prototype, prop);

/** Returned by `#lookup` for a key that holds nothing. */
const MISSING = Symbol('missing');

class ShareHandle {
  readonly #store: ShareStore;
  readonly #bound = new Map<PropertyKey, unknown>();

  constructor(store?: ShareStore) {
    if (!sharedMemoryAvailable()) throw noSharedMemory();
    this.#store = store ?? ShareStore.create();
    const target = this;
    const proxy = new Proxy(this, {
      get: (_, prop, receiver) => {
        const bound = target.#bound.get(prop); // the methods, once used: the hot path of share.update(...)
        if (bound !== undefined) return bound;
        if (typeof prop === 'symbol' || isMember(prop)) return target.#own(prop);
        const value = prop.startsWith('\u0000') ? MISSING : target.#lookup(prop);
        return value === MISSING ? Reflect.get(target, prop, receiver) : value;
      },
      set: (_, prop, value) => {
        if (typeof prop === 'symbol' || isMember(prop) || prop.startsWith('\u0000')) {
          throw new TypeError(`Share: '${String(prop)}' is a name of the Share itself and cannot hold a value; choose another name`);
        }
        target.#set(prop, value);
        return true;
      },
      deleteProperty: (_, prop) => {
        if (typeof prop === 'string') target.#set(prop, undefined);
        return true;
      },
      has: (_, prop) => (typeof prop === 'string' && target.#store.has(prop)) || prop in target,
      ownKeys: () => target.#store.keys().filter((key) => key !== PENDING),
      getOwnPropertyDescriptor: (_, prop) => {
        if (typeof prop !== 'string' || prop === PENDING) return undefined;
        const value = target.#lookup(prop);
        return value === MISSING ? undefined : { value, writable: true, enumerable: true, configurable: true };
      },
      defineProperty: () => {
        throw new TypeError('Share: assign properties (share.x = value); defineProperty is not supported');
      },
    });
    this.#bound.set(SELF, proxy);
    stores.set(proxy, this.#store);
    return proxy;
  }

  update(key: string, fn: (current: unknown) => unknown): unknown {
    if (typeof fn !== 'function') throw new TypeError('share.update(key, fn): fn must be a function');
    const store = this.#store;
    store.enter();
    try {
      this.#requireRunning('update');
      const slot = store.slotOf(key);
      const current = slot < 0 ? undefined : valueOf(store.formAt(slot)); // a number: read in place
      const next = fn(current);
      if (isThenable(next)) throw new TypeError('share.update(key, fn): fn returned a Promise; it must be synchronous (it runs holding the lock)');
      // share.x += 1: 8 bytes in place. The slot is looked up again: fn may have written the Share (and moved slots).
      const at = store.slotOf(key);
      if (typeof next === 'number' && at >= 0) store.setNumberAt(at, next);
      else store.put(key, formOf(key, next));
      return next;
    } finally {
      store.exit();
    }
  }

  atomic<R>(fn: (share: unknown) => R): R {
    if (typeof fn !== 'function') throw new TypeError('share.atomic(fn): fn must be a function');
    return this.#store.locked(() => {
      this.#requireRunning('atomic');
      const result = fn(this.#bound.get(SELF));
      if (isThenable(result)) {
        throw new TypeError('share.atomic(fn): fn returned a Promise; it must be synchronous (only its part before the first await held the lock)');
      }
      return result;
    });
  }

  start(): void {
    const failures: unknown[] = [];
    this.#store.locked(() => {
      const pending = this.#store.records(PENDING);
      this.#store.delete(PENDING);
      this.#store.running = true;
      for (const record of pending) {
        try {
          const op = deserialize(record) as PendingOp;
          if (op.k === 'set') this.#store.put(op.key, formOf(op.key, op.value));
          else if (op.k === 'delete') this.#store.delete(op.key);
          else this.#invoke(op.key, op.method, op.args);
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) this.#store.hasError = true;
    });
    if (failures.length > 0) {
      throw new AggregateError(failures, `Share.start(): ${failures.length} write(s) made while stopped failed; the others were applied`);
    }
  }

  async stop(timeout = 5_000): Promise<boolean> {
    if (this.#store.isHeld) {
      this.#store.running = false; // inside this Share's atomic(): the lock is already ours
      return true;
    }
    const deadline = Date.now() + timeout;
    while (!this.#store.tryLock()) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    try {
      this.#store.running = false;
    } finally {
      this.#store.unlock();
    }
    return true;
  }

  exit(timeout?: number): Promise<boolean> {
    return this.stop(timeout);
  }

  clear(): void {
    this.#store.clear();
  }

  async reconnectAll(): Promise<Record<string, unknown>> {
    const found: Record<string, unknown> = {};
    for (const key of this.#store.keys()) {
      if (key === PENDING) continue;
      const value = this.#read(key);
      if (value instanceof Reconnector || (isObject(value) && containsReconnector(value))) found[key] = value;
    }
    // One walk over all of them: each is reconnected once, concurrently, with its key as its field name.
    return reconnectValue(found);
  }

  get isRunning(): boolean { return this.#store.running; }
  get hasError(): boolean { return this.#store.hasError; }

  [Symbol.dispose](): void {
    if (this.#store.tryLock()) {
      this.#store.running = false;
      this.#store.unlock();
    } else void this.stop();
  }

  #own(prop: PropertyKey): unknown {
    const value: unknown = Reflect.get(this, prop, this);
    if (typeof value !== 'function') return value;
    let bound = this.#bound.get(prop);
    if (bound === undefined) {
      bound = (value as (...args: unknown[]) => unknown).bind(this);
      this.#bound.set(prop, bound);
    }
    return bound;
  }

  /** What `key` holds, as stored (undefined: nothing). */
  #form(key: string): Form {
    const store = this.#store;
    store.enter();
    try {
      const slot = store.slotOf(key);
      return slot < 0 ? undefined : store.formAt(slot);
    } finally {
      store.exit();
    }
  }

  #read(key: string): unknown {
    return valueOf(this.#form(key));
  }

  #lookup(key: string): unknown {
    const form = this.#form(key);
    if (form === undefined) return MISSING;
    const value = valueOf(form);
    return isObject(value) ? this.#view(key, value) : value;
  }

  /** A write: applied now while running, queued for `start()` while stopped (decided under the lock). */
  #set(key: string, value: unknown): void {
    const form = formOf(key, value); // before the lock: the lock is held only to copy bytes in
    const store = this.#store;
    store.enter();
    try {
      if (store.running) store.put(key, form);
      else this.#queue(value === undefined ? { k: 'delete', key } : { k: 'set', key, value });
    } finally {
      store.exit();
    }
  }

  #queue(op: PendingOp): void {
    this.#store.append(PENDING, serialize(op, { bytes: true }));
  }

  /**
   * `method` on the stored value of `key`, holding the lock: the value it leaves is stored when
   * it changed (running) or the call is queued for `start()` (stopped).
   */
  #invoke(key: string, method: string, args: unknown[]): unknown {
    return this.#store.locked(() => {
      const before = this.#form(key);
      const current = valueOf(before);
      if (!isObject(current)) throw new TypeError(`share.${key}.${method}(): share.${key} is ${current === undefined ? 'not set' : typeof current}`);
      const fn: unknown = Reflect.get(current, method, current);
      if (typeof fn !== 'function') throw new TypeError(`share.${key}.${method} is not a function`);
      const result: unknown = (fn as (...a: unknown[]) => unknown).apply(current, args);
      const after = formOf(key, current);
      if (!sameForm(before, after)) {
        if (this.#store.running) this.#store.put(key, after);
        else this.#queue({ k: 'call', key, method, args });
      }
      // `map.set(k, v)` and the like return their receiver: give a copy wired like a read, so a
      // chained call acts on the stored value too.
      return result === current ? this.#view(key, current) : result;
    });
  }

  /** What `share.key` gives for an object: the copy, its methods wired to act on the stored value (see values.ts). */
  #view(key: string, copy: object): object {
    return wireMethods(copy, (name, args) => this.#invoke(key, name, args));
  }

  #requireRunning(what: string): void {
    if (!this.#store.running) {
      throw new Error(`share.${what}(): the Share is stopped, and this reads the current value, which a stopped Share does not change; call start() first`);
    }
  }
}

function isThenable(value: unknown): boolean {
  return isObject(value) && typeof (value as { then?: unknown }).then === 'function';
}

/** See {@link ShareConstructor}; `new Share<T>()` is a {@link Share}. */
export const Share = ShareHandle as unknown as ShareConstructor;

/** The id the Share codec is registered under, on both sides of every worker boundary. */
export const SHARE_CODEC_ID = 'suitkaise:Share';

/**
 * How a Share crosses a worker boundary: as its shared memory, which the receiver maps. A codec
 * rather than `toState`/`fromState` members, which would take names from the user's keys.
 */
export const shareCodec: Codec<object, ShareState> = {
  test: (value): value is object => Object.getPrototypeOf(value) === ShareHandle.prototype,
  toState(share) {
    const store = stores.get(share);
    if (store === undefined) throw new TypeError('a Share handle without its memory cannot be sent');
    return { buffer: store.buffer };
  },
  fromState(state) {
    if (!isObject(state) || typeof SharedArrayBuffer !== 'function' || !(state.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('a Share arrived without its shared memory');
    }
    return new ShareHandle(new ShareStore(state.buffer));
  },
};
