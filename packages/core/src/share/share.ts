/**
 * `Share`: an object whose properties live in shared memory, so every process and pool worker it
 * is passed to reads and writes the same values. Reads are synchronous and see every write that
 * completed before them; each write, `update`, `atomic` and method call on a stored object runs
 * under one cross-thread lock (see share-store.ts). Values go through cucumber's byte form.
 */
import { sharedMemoryAvailable } from '../runtime/shared-memory.ts';
import { NUMBER_BYTES, NUMBER_TAG, ShareStore } from './store.ts';
import { Reconnector, reconnectAll as reconnectValue } from '../reconnect/index.ts';
import { SerializationError } from '../errors.ts';
import { deserialize, serialize } from '../serializer/index.ts';

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

/** A number's stored form (see {@link NUMBER_TAG}). */
function encodeNumber(value: number): Uint8Array {
  const bytes = new Uint8Array(NUMBER_BYTES);
  bytes[0] = NUMBER_TAG;
  new DataView(bytes.buffer).setFloat64(1, value, true);
  return bytes;
}

/** A stored value: a number's own form, or the serializer's byte form. */
function decodeStored(bytes: Uint8Array): unknown {
  if (bytes.length === NUMBER_BYTES && bytes[0] === NUMBER_TAG) return new DataView(bytes.buffer, bytes.byteOffset).getFloat64(1, true);
  return deserialize(bytes);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
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
   * Reconnect every `Reconnector` stored in the Share (a database client, a socket … stored as
   * a placeholder), by key. A value is the reconnected resource, or a Promise of it for
   * resources that connect asynchronously (most do: `await` them).
   */
  reconnectAll(): Record<string, unknown>;
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

/** Names of the Share's own members: `ShareHandle.prototype`'s, looked up once. */
const isMember = (prop: string): boolean => Object.hasOwn(ShareHandle.prototype, prop);

/** Returned by `#lookup` for a key that holds nothing. */
const MISSING = Symbol('missing');

/** Method names (data properties holding functions) along a prototype chain, below Object.prototype. */
const methodCache = new WeakMap<object, string[]>();
function methodNames(value: object): string[] {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return [];
  let names = methodCache.get(proto);
  if (names === undefined) {
    const found = new Set<string>();
    for (let at: object | null = proto; at !== null && at !== Object.prototype; at = Object.getPrototypeOf(at) as object | null) {
      for (const name of Object.getOwnPropertyNames(at)) {
        const descriptor = Object.getOwnPropertyDescriptor(at, name)!;
        if (name !== 'constructor' && 'value' in descriptor && typeof descriptor.value === 'function') found.add(name);
      }
    }
    names = [...found];
    methodCache.set(proto, names);
  }
  return names;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class ShareHandle {
  readonly #store: ShareStore;
  readonly #bound = new Map<PropertyKey, unknown>();

  constructor(store?: ShareStore) {
    if (!sharedMemoryAvailable()) throw noSharedMemory();
    this.#store = store ?? ShareStore.create();
    const target = this;
    const proxy = new Proxy(this, {
      get: (_, prop, receiver) => {
        if (typeof prop === 'symbol' || isMember(prop)) return target.#own(prop);
        const value = target.#lookup(prop);
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
    return proxy;
  }

  update(key: string, fn: (current: unknown) => unknown): unknown {
    if (typeof fn !== 'function') throw new TypeError('share.update(key, fn): fn must be a function');
    return this.#store.locked(() => {
      this.#requireRunning('update');
      const next = fn(this.#read(key));
      if (isThenable(next)) throw new TypeError('share.update(key, fn): fn returned a Promise; it must be synchronous (it runs holding the lock)');
      // A number over a number: 8 bytes in place, no serializer.
      if (typeof next === 'number' && this.#store.writeNumber(key, next)) return next;
      this.#write(key, this.#encode(key, next));
      return next;
    });
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
          if (op.k === 'set') this.#write(op.key, this.#encode(op.key, op.value));
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

  reconnectAll(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.#store.keys()) {
      if (key === PENDING) continue;
      const value = this.#read(key);
      if (value instanceof Reconnector) out[key] = value.reconnect();
      else if (isObject(value) && containsReconnector(value)) out[key] = reconnectValue(value);
    }
    return out;
  }

  get isRunning(): boolean { return this.#store.running; }
  get hasError(): boolean { return this.#store.hasError; }

  [Symbol.dispose](): void {
    if (this.#store.tryLock()) {
      this.#store.running = false;
      this.#store.unlock();
    } else void this.stop();
  }

  /** @internal cucumber: the shared memory is what travels. */
  toState(): ShareState {
    return { buffer: this.#store.buffer };
  }

  /** @internal cucumber: a handle on memory that arrived from another thread. */
  static fromState(state: ShareState): unknown {
    if (!isObject(state) || typeof SharedArrayBuffer !== 'function' || !(state.buffer instanceof SharedArrayBuffer)) throw new TypeError('Share.fromState(): no shared memory in the state');
    return new ShareHandle(new ShareStore(state.buffer));
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

  #read(key: string): unknown {
    const number = this.#store.readNumber(key);
    if (number !== undefined) return number;
    const bytes = this.#store.read(key);
    return bytes === undefined ? undefined : decodeStored(bytes);
  }

  /** The byte form of a value to store under `key`, with an error that speaks of the Share. */
  #encode(key: string, value: unknown): Uint8Array | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number') return encodeNumber(value);
    try {
      return serialize(value, { bytes: true });
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      throw new SerializationError(
        `share.${key} cannot hold this value (a Share keeps values as bytes, so it cannot hold another Share, a Pipe ` +
          `point, a SharedArrayBuffer or a MessagePort; pass those to the process directly): ${error.message}`,
        error.path, error,
      );
    }
  }

  #write(key: string, bytes: Uint8Array | undefined): void {
    if (bytes === undefined) this.#store.delete(key);
    else this.#store.write(key, bytes);
  }

  #lookup(key: string): unknown {
    const number = this.#store.readNumber(key);
    if (number !== undefined) return number;
    const bytes = this.#store.read(key);
    if (bytes === undefined) return MISSING;
    const value = decodeStored(bytes);
    return isObject(value) ? this.#view(key, value) : value;
  }

  /** A write: applied now while running, queued for `start()` while stopped (decided under the lock). */
  #set(key: string, value: unknown): void {
    const bytes = this.#encode(key, value);
    this.#store.locked(() => {
      if (this.#store.running) this.#write(key, bytes);
      else this.#queue(value === undefined ? { k: 'delete', key } : { k: 'set', key, value });
    });
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
      const before = this.#store.read(key);
      const current = before === undefined ? undefined : decodeStored(before);
      if (!isObject(current)) throw new TypeError(`share.${key}.${method}(): share.${key} is ${current === undefined ? 'not set' : typeof current}`);
      const fn: unknown = Reflect.get(current, method, current);
      if (typeof fn !== 'function') throw new TypeError(`share.${key}.${method} is not a function`);
      const result: unknown = (fn as (...a: unknown[]) => unknown).apply(current, args);
      const after = this.#encode(key, current)!;
      if (!sameBytes(before, after)) {
        if (this.#store.running) this.#store.write(key, after);
        else this.#queue({ k: 'call', key, method, args });
      }
      return result;
    });
  }

  /**
   * What `share.key` gives for an object: a copy of the stored value (a real Array, Map, class
   * instance …) whose methods act on the stored value atomically (`share.seen.push(x)`,
   * `share.timer.addTime(t)`), as non-enumerable own properties that nothing else sees.
   */
  #view(key: string, copy: object): object {
    for (const name of methodNames(copy)) {
      Object.defineProperty(copy, name, {
        value: (...args: unknown[]) => this.#invoke(key, name, args),
        enumerable: false, configurable: true, writable: true,
      });
    }
    return copy;
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

function containsReconnector(value: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Reconnector) return true;
    if (!isObject(item) || seen.has(item)) continue;
    seen.add(item);
    if (item instanceof Map) item.forEach((v, k) => stack.push(k, v));
    else if (item instanceof Set) item.forEach((v) => stack.push(v));
    else stack.push(...Object.values(item));
  }
  return false;
}

/** See {@link ShareConstructor}; `new Share<T>()` is a {@link Share}. */
export const Share = ShareHandle as unknown as ShareConstructor;
