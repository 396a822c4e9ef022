/**
 * The memory behind a `Share`: one SharedArrayBuffer (growable where the platform allows) that
 * every thread holding the Share maps, guarded by one Atomics lock. It holds a directory
 * (key → slot) and a slot per key with that key's value in cucumber's byte form. There is no
 * coordinator thread: whoever takes the lock reads or writes.
 *
 * Layout: a header of Int32 fields, then the heap. A slot is `[capacity u32][length u32][bytes]`;
 * a value that still fits is rewritten in place, so most writes leave the directory alone.
 */

const HEADER_BYTES = 64;
const LOCK = 0;
const DIR_GEN = 1;
const DIR_SLOT = 2;
const HEAP_END = 3;
const WASTE = 4;
const RUNNING = 5;
const ERROR = 6;
/** The token of the thread holding the lock (0: none), so a supervisor can free a lock its dead worker held. */
const OWNER = 7;
const SLOT_HEADER = 8;

const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 256 * 1024 * 1024;
const FIXED_BYTES = 16 * 1024 * 1024;
/**
 * A number's stored form: this byte, then the float64 (little-endian), 9 bytes in all. Read and
 * written in place (`share.counter += 1` is a lock, a read and a write of 8 bytes). The serializer's
 * byte form starts with its magic (`SKCU`), so the two cannot be confused.
 */
export const NUMBER_TAG = 0x4e;
/** Bytes of a number's stored form. */
export const NUMBER_BYTES = 9;

/** How long a thread waits for the lock before it reports a holder that will not let go. */
const LOCK_PATIENCE = 10_000;

/** ES2024's growable SharedArrayBuffer (Node 20, Chromium), typed here so the lib setting can stay older. */
interface Growable {
  readonly growable?: boolean;
  readonly maxByteLength?: number;
  grow?(length: number): void;
}
type GrowableBufferCtor = new (length: number, options?: { maxByteLength: number }) => SharedArrayBuffer & Growable;
// Nothing here touches SharedArrayBuffer or Atomics at module load: a page that is not cross-origin
// isolated has no SharedArrayBuffer global, and importing @suitkaise/core must still work there.

let waitAllowed: boolean | null = null;
/** Whether this thread may block in `Atomics.wait` (a browser page's main thread may not). */
function canWait(): boolean {
  if (waitAllowed === null) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      waitAllowed = true;
    } catch {
      waitAllowed = false;
    }
  }
  return waitAllowed;
}

/** This thread's lock token; a worker takes the one its supervisor gave it (see {@link setLockToken}). */
let lockToken = (Math.random() * 0x7ffffffe + 1) | 0;

/** Use `token` as this thread's lock token: a worker does this before it touches any Share. */
export function setLockToken(token: number): void {
  lockToken = token | 0 || 1;
}

/** A fresh token for a worker about to start. */
export function newLockToken(): number {
  return (Math.random() * 0x7ffffffe + 1) | 0;
}

/** Tokens of workers this thread terminated, and when: a lock one of them holds is orphaned. */
const terminated = new Map<number, number>();

/** The worker with `token` is being terminated: a thread waiting on a lock it holds may free it soon after. */
export function noteTerminated(token: number): void {
  terminated.set(token, Date.now());
  if (terminated.size > 1024) terminated.delete(terminated.keys().next().value!);
}

/** How long after `terminate()` a lock its worker held counts as orphaned (the thread stops within milliseconds). */
const ORPHAN_GRACE = 50;

/**
 * Run while this thread waits for a lock. A thread blocked in a lock wait runs no timers, so the
 * parent's section watchdogs (which end a worker stuck while holding the lock) run from here.
 */
let whileWaiting: (() => void) | null = null;

/** Install the hook a lock wait runs about every 10 ms (the supervisor's watchdogs). */
export function setLockWaitHook(hook: () => void): void {
  whileWaiting = hook;
}

/** How often a lock wait runs {@link whileWaiting}. */
const WAIT_HOOK_PERIOD = 10;

/**
 * A worker that ends itself (`process.exit`, `close()`) frees the Share locks it holds on its way
 * out: its parent may be blocked on one, unable to learn that it ended.
 */
export function releaseLocksHeldHere(): void {
  releaseLocksOf(lockToken);
}

/** Every Share memory this thread has seen, to free locks a dead worker held. */
const known = new Set<WeakRef<ShareStore>>();

/**
 * The worker with `token` ended (terminated, crashed): free every Share lock it held, and flag
 * those Shares `hasError` (the value it was writing may be half written).
 */
export function releaseLocksOf(token: number): void {
  for (const ref of known) {
    const store = ref.deref();
    if (store === undefined) known.delete(ref);
    else store.releaseIfHeldBy(token);
  }
}

/** Lock depth per buffer in this thread: a Share's own operations nest (a method call reads, then writes). */
const depths = new WeakMap<SharedArrayBuffer, { depth: number }>();

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Key → slot offset, as the directory slot holds it (JSON: never evaluated, keys kept as data). */
type Directory = Map<string, number>;

/** One thread's view of a Share's memory. */
export class ShareStore {
  readonly buffer: SharedArrayBuffer;
  readonly #header: Int32Array;
  #dirGen = -1;
  #dir: Directory = new Map();

  /** This thread's lock depth on the buffer, shared by every view of it in this thread. */
  readonly #held: { depth: number };

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    let held = depths.get(buffer);
    if (!held) depths.set(buffer, (held = { depth: 0 }));
    this.#held = held;
    this.#header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    known.add(new WeakRef(this));
  }

  /** Fresh, empty, running memory. */
  static create(): ShareStore {
    let buffer: SharedArrayBuffer;
    try {
      const growable = new (SharedArrayBuffer as unknown as GrowableBufferCtor)(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
      buffer = growable.growable === true ? growable : new SharedArrayBuffer(FIXED_BYTES);
    } catch {
      buffer = new SharedArrayBuffer(FIXED_BYTES);
    }
    const store = new ShareStore(buffer);
    Atomics.store(store.#header, HEAP_END, HEADER_BYTES);
    Atomics.store(store.#header, RUNNING, 1);
    store.#writeDir(new Map());
    return store;
  }

  /** Run `fn` holding the lock (re-entrant within this thread). `fn` must be synchronous. */
  locked<T>(fn: () => T): T {
    const held = this.#held;
    const depth = held.depth;
    if (depth === 0) this.#acquire();
    held.depth = depth + 1;
    try {
      return fn();
    } finally {
      held.depth = depth;
      if (depth === 0) this.#release();
    }
  }

  /** Whether this thread holds the lock right now. */
  get isHeld(): boolean {
    return this.#held.depth > 0;
  }

  /** Take the lock only if it is free now; returns whether it was taken (release with {@link unlock}). */
  tryLock(): boolean {
    if (this.#held.depth > 0) return false;
    if (Atomics.compareExchange(this.#header, LOCK, 0, 1) !== 0) return false;
    Atomics.store(this.#header, OWNER, lockToken);
    this.#held.depth = 1;
    return true;
  }

  /** Free the lock if the thread with `token` holds it (that thread is gone); see {@link releaseLocksOf}. */
  releaseIfHeldBy(token: number): void {
    const header = this.#header;
    if (Atomics.load(header, LOCK) === 0 || Atomics.load(header, OWNER) !== token) return;
    Atomics.store(header, ERROR, 1);
    Atomics.store(header, OWNER, 0);
    Atomics.store(header, LOCK, 0);
    Atomics.notify(header, LOCK);
  }

  /** Release a lock taken with {@link tryLock}. */
  unlock(): void {
    this.#held.depth = 0;
    this.#release();
  }

  get running(): boolean { return Atomics.load(this.#header, RUNNING) === 1; }
  set running(value: boolean) { Atomics.store(this.#header, RUNNING, value ? 1 : 0); }
  get hasError(): boolean { return Atomics.load(this.#header, ERROR) === 1; }
  set hasError(value: boolean) { Atomics.store(this.#header, ERROR, value ? 1 : 0); }

  /** A copy of `key`'s bytes, or undefined when unset. */
  read(key: string): Uint8Array | undefined {
    return this.locked(() => {
      const offset = this.#directory().get(key);
      return offset === undefined ? undefined : this.#readSlot(offset);
    });
  }

  /**
   * `key`'s value when it is stored as a number ({@link NUMBER_TAG} form), read in place; undefined
   * when unset or stored otherwise.
   */
  readNumber(key: string): number | undefined {
    return this.locked(() => {
      const offset = this.#directory().get(key);
      if (offset === undefined) return undefined;
      const view = this.#view();
      if (view.getUint32(offset + 4, true) !== NUMBER_BYTES || view.getUint8(offset + SLOT_HEADER) !== NUMBER_TAG) return undefined;
      return view.getFloat64(offset + SLOT_HEADER + 1, true);
    });
  }

  /** Store the number `value` as `key`'s value in place; false (nothing written) when `key` has no slot yet. */
  writeNumber(key: string, value: number): boolean {
    return this.locked(() => {
      const offset = this.#directory().get(key);
      if (offset === undefined || this.#capacity(offset) < NUMBER_BYTES) return false;
      const view = this.#view();
      view.setUint8(offset + SLOT_HEADER, NUMBER_TAG);
      view.setFloat64(offset + SLOT_HEADER + 1, value, true);
      view.setUint32(offset + 4, NUMBER_BYTES, true);
      return true;
    });
  }

  /** Store `bytes` as `key`'s value. */
  write(key: string, bytes: Uint8Array): void {
    this.locked(() => {
      const offset = this.#directory().get(key);
      if (offset !== undefined && this.#capacity(offset) >= bytes.length) {
        this.#fill(offset, bytes);
        return;
      }
      // Room for the value and a directory that grows by this key; after this, nothing moves.
      this.#reserve(bytes.length + SLOT_HEADER + this.#capacity(this.#dirSlot()) + key.length * 3 + 32, true);
      const dir = new Map(this.#directory());
      const old = dir.get(key);
      if (old !== undefined) this.#waste(old);
      dir.set(key, this.#allocate(bytes));
      this.#writeDir(dir);
    });
  }

  /** Remove `key`; returns whether it was set. */
  delete(key: string): boolean {
    return this.locked(() => {
      if (!this.#directory().has(key)) return false;
      const dir = new Map(this.#directory());
      this.#waste(dir.get(key)!);
      dir.delete(key);
      this.#writeDir(dir); // a smaller directory fits its slot
      return true;
    });
  }

  /** Every key that holds a value. */
  keys(): string[] {
    return this.locked(() => [...this.#directory().keys()]);
  }

  /** Whether `key` holds a value. */
  has(key: string): boolean {
    return this.locked(() => this.#directory().has(key));
  }

  /** Remove every key and reclaim the memory. */
  clear(): void {
    this.locked(() => {
      Atomics.store(this.#header, HEAP_END, HEADER_BYTES);
      Atomics.store(this.#header, WASTE, 0);
      Atomics.store(this.#header, DIR_SLOT, 0); // the old directory slot is gone with the rest
      this.#writeDir(new Map());
    });
  }

  /**
   * Append one record to `key`'s slot without reading it back (a log: the writes made while
   * stopped). Records are `[length u32][bytes]`; the slot doubles when it fills.
   */
  append(key: string, record: Uint8Array): void {
    this.locked(() => {
      const offset = this.#directory().get(key);
      const used = offset === undefined ? 0 : this.#view().getUint32(offset + 4, true);
      const needed = used + 4 + record.length;
      if (offset !== undefined && this.#capacity(offset) >= needed) {
        this.#view().setUint32(offset + SLOT_HEADER + used, record.length, true);
        this.#bytes().set(record, offset + SLOT_HEADER + used + 4);
        this.#view().setUint32(offset + 4, needed, true);
        return;
      }
      const grown = new Uint8Array(Math.max(needed * 2, 256));
      if (offset !== undefined) grown.set(this.#readSlot(offset));
      new DataView(grown.buffer).setUint32(used, record.length, true);
      grown.set(record, used + 4);
      this.write(key, grown);
      const slot = this.#directory().get(key)!;
      this.#view().setUint32(slot + 4, needed, true); // the slot holds `needed` bytes of records, the rest is room
    });
  }

  /** The records {@link append} wrote under `key`, in order. */
  records(key: string): Uint8Array[] {
    const log = this.read(key);
    const out: Uint8Array[] = [];
    if (log === undefined) return out;
    const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
    for (let at = 0; at + 4 <= log.length;) {
      const length = view.getUint32(at, true);
      out.push(log.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    return out;
  }

  #acquire(): void {
    const header = this.#header;
    if (Atomics.compareExchange(header, LOCK, 0, 1) !== 0) this.#contend();
    Atomics.store(header, OWNER, lockToken);
  }

  #contend(): void {
    const header = this.#header;
    const deadline = Date.now() + LOCK_PATIENCE;
    const wait = canWait();
    let hookAt = Date.now() + WAIT_HOOK_PERIOD;
    for (let spins = 0; ; spins++) {
      if (Atomics.exchange(header, LOCK, 2) === 0) return;
      if (wait) Atomics.wait(header, LOCK, 2, WAIT_HOOK_PERIOD);
      if (whileWaiting && (wait || (spins & 255) === 0) && Date.now() >= hookAt) {
        hookAt = Date.now() + WAIT_HOOK_PERIOD;
        whileWaiting();
      }
      // A worker this thread terminated holds it: this thread may be the one that has to free it.
      const owner = Atomics.load(header, OWNER);
      const since = terminated.get(owner);
      if (since !== undefined && (wait || (spins & 1023) === 0) && Date.now() - since > ORPHAN_GRACE) this.releaseIfHeldBy(owner);
      if ((wait || (spins & 1023) === 0) && Date.now() > deadline) {
        throw new Error(
          `Share: its lock has been held for over ${LOCK_PATIENCE / 1000} s; a worker probably ended (a timeout, kill() or crash) ` +
            'inside a Share operation. Keep share.atomic()/update() callbacks and shared objects\' methods short and synchronous',
        );
      }
    }
  }

  #release(): void {
    Atomics.store(this.#header, OWNER, 0);
    if (Atomics.exchange(this.#header, LOCK, 0) === 2) Atomics.notify(this.#header, LOCK, 1);
  }

  // Views made once: over a growable buffer they track its length as it grows.
  #byteView: Uint8Array | null = null;
  #dataView: DataView | null = null;
  #bytes(): Uint8Array { return (this.#byteView ??= new Uint8Array(this.buffer)); }
  #view(): DataView { return (this.#dataView ??= new DataView(this.buffer)); }
  #capacity(offset: number): number { return this.#view().getUint32(offset, true); }
  #dirSlot(): number { return Atomics.load(this.#header, DIR_SLOT); }

  #readSlot(offset: number): Uint8Array {
    const length = this.#view().getUint32(offset + 4, true);
    return this.#bytes().slice(offset + SLOT_HEADER, offset + SLOT_HEADER + length);
  }

  #fill(offset: number, bytes: Uint8Array): void {
    this.#view().setUint32(offset + 4, bytes.length, true);
    this.#bytes().set(bytes, offset + SLOT_HEADER);
  }

  /** A new slot for `bytes` at the heap's end, with room to grow; space was reserved beforehand. */
  #allocate(bytes: Uint8Array): number {
    const offset = Atomics.load(this.#header, HEAP_END);
    const capacity = slotCapacity(bytes.length);
    this.#view().setUint32(offset, capacity, true);
    this.#fill(offset, bytes);
    Atomics.store(this.#header, HEAP_END, offset + SLOT_HEADER + capacity);
    return offset;
  }

  #waste(offset: number): void {
    Atomics.add(this.#header, WASTE, SLOT_HEADER + this.#capacity(offset));
  }

  /** The directory (do not modify: copy it), re-read when another thread changed it. */
  #directory(): ReadonlyMap<string, number> {
    const gen = Atomics.load(this.#header, DIR_GEN);
    if (gen !== this.#dirGen) {
      const entries = JSON.parse(decoder.decode(this.#readSlot(this.#dirSlot()))) as Array<[string, number]>;
      this.#dir = new Map(entries);
      this.#dirGen = gen;
    }
    return this.#dir;
  }

  #writeDir(dir: Directory): void {
    const bytes = encoder.encode(JSON.stringify([...dir]));
    const slot = this.#dirSlot();
    if (slot !== 0 && this.#capacity(slot) >= bytes.length) this.#fill(slot, bytes);
    else {
      if (slot !== 0) this.#waste(slot);
      this.#reserve(bytes.length + SLOT_HEADER, false); // slots the caller holds offsets to must not move
      Atomics.store(this.#header, DIR_SLOT, this.#allocate(bytes));
    }
    this.#dir = dir;
    this.#dirGen = Atomics.add(this.#header, DIR_GEN, 1) + 1;
  }

  /** Make room for `needed` more bytes (with slack): compact away dead slots (if `compact`), then grow. */
  #reserve(needed: number, compact: boolean): void {
    const want = Math.ceil(needed * 1.5) + 64;
    if (Atomics.load(this.#header, HEAP_END) + want <= this.buffer.byteLength) return;
    if (compact && Atomics.load(this.#header, WASTE) > 0) this.#compact();
    const end = Atomics.load(this.#header, HEAP_END);
    if (end + want <= this.buffer.byteLength) return;
    const buffer = this.buffer as SharedArrayBuffer & Growable;
    const size = Math.max(buffer.byteLength * 2, end + want);
    const max = buffer.growable === true ? buffer.maxByteLength ?? 0 : 0;
    if (end + want > max) {
      throw new RangeError(`Share: out of shared memory (${Math.round(buffer.byteLength / 1024)} KiB in use); store less in it`);
    }
    buffer.grow!(Math.min(size, max));
  }

  /** Move every live slot to the start of the heap (slots only move here, under the lock). */
  #compact(): void {
    const values = [...this.#directory()].map(([key, offset]) => [key, this.#readSlot(offset)] as const);
    const dirBytes = this.#readSlot(this.#dirSlot());
    Atomics.store(this.#header, HEAP_END, HEADER_BYTES);
    Atomics.store(this.#header, WASTE, 0);
    const moved: Directory = new Map();
    for (const [key, bytes] of values) moved.set(key, this.#allocate(bytes));
    Atomics.store(this.#header, DIR_SLOT, this.#allocate(dirBytes));
    this.#writeDir(moved);
  }
}

function slotCapacity(length: number): number {
  return Math.max(16, Math.ceil(length * 1.25));
}

