/**
 * The memory behind a `Share`: one SharedArrayBuffer (growable where the platform allows) that
 * every thread holding the Share maps, guarded by one lock (lock.ts). It holds a directory
 * (key → slot) and a slot per key with that key's value in one of the forms of forms.ts. There is
 * no coordinator thread: whoever takes the lock reads or writes.
 *
 * Layout: a header of Int32 words, then the heap. A slot is `[capacity u32][length u32][bytes]`,
 * 8-byte aligned; a value that still fits is rewritten in place, so most writes leave the directory
 * alone. Each thread keeps the directory it last read, and re-reads it only when its generation
 * word says another thread changed it.
 */
import { LOCK_WORDS, ShareLock } from './lock.ts';
import { NUMBER_AT, NUMBER_BYTES, NUMBER_TAG, PLAIN_TAG, type Form } from './forms.ts';

export { newLockToken, noteTerminated, releaseLocksHeldHere, releaseLocksOf, setLockToken, setLockWaitHook } from './lock.ts';

const HEADER_BYTES = 64;
const DIR_GEN = LOCK_WORDS;
const DIR_SLOT = LOCK_WORDS + 1;
const HEAP_END = LOCK_WORDS + 2;
const WASTE = LOCK_WORDS + 3;
const RUNNING = LOCK_WORDS + 4;
const SLOT_HEADER = 8;

const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 256 * 1024 * 1024;
const FIXED_BYTES = 16 * 1024 * 1024;

/** ES2024's growable SharedArrayBuffer (Node 20, Chromium), typed here so the lib setting can stay older. */
interface Growable {
  readonly growable?: boolean;
  readonly maxByteLength?: number;
  grow?(length: number): void;
}
type GrowableBufferCtor = new (length: number, options?: { maxByteLength: number }) => SharedArrayBuffer & Growable;
// Nothing here touches SharedArrayBuffer or Atomics at module load: a page that is not cross-origin
// isolated has no SharedArrayBuffer global, and importing @suitkaise/core must still work there.

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Where plain data's stored form is assembled before it is copied into its slot (grown as needed). */
let scratch = new Uint8Array(1024);

/** Key → slot offset, as the directory slot holds it (JSON: never evaluated, keys kept as data). */
type Directory = Map<string, number>;

/** One thread's view of a Share's memory. */
export class ShareStore {
  readonly buffer: SharedArrayBuffer;
  readonly #header: Int32Array;
  readonly #lock: ShareLock;
  #dirGen = -1;
  #dir: Directory = new Map();
  // Fixed-length views (fast to index), remade when the buffer has grown.
  #u8!: Uint8Array;
  #u32!: Uint32Array;
  #f64!: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.#lock = new ShareLock(buffer, new Int32Array(buffer, 0, LOCK_WORDS));
    this.#makeViews();
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

  /** Take the lock (re-entrant within this thread); always pair with {@link exit} in a `finally`. */
  enter(): void {
    this.#lock.enter();
  }

  /** Leave what {@link enter} took. */
  exit(): void {
    this.#lock.exit();
  }

  /** Run `fn` holding the lock (re-entrant within this thread). `fn` must be synchronous. */
  locked<T>(fn: () => T): T {
    this.#lock.enter();
    try {
      return fn();
    } finally {
      this.#lock.exit();
    }
  }

  /** Whether this thread holds the lock right now. */
  get isHeld(): boolean {
    return this.#lock.isHeld;
  }

  /** Take the lock only if it is free now; returns whether it was taken (release with {@link unlock}). */
  tryLock(): boolean {
    return this.#lock.tryLock();
  }

  /** Release a lock taken with {@link tryLock}. */
  unlock(): void {
    this.#lock.unlock();
  }

  get running(): boolean { return Atomics.load(this.#header, RUNNING) === 1; }
  set running(value: boolean) { Atomics.store(this.#header, RUNNING, value ? 1 : 0); }
  get hasError(): boolean { return this.#lock.broken; }
  set hasError(value: boolean) { this.#lock.broken = value; }

  /** The slot of `key`, or -1 when it holds nothing. Hold the lock. */
  slotOf(key: string): number {
    return this.#directory().get(key) ?? -1;
  }

  /** The number stored in `slot`, read in place; undefined when the slot holds another form. Hold the lock. */
  numberAt(slot: number): number | undefined {
    if (this.#u32[(slot + 4) >> 2] !== NUMBER_BYTES || this.#u8[slot + SLOT_HEADER] !== NUMBER_TAG) return undefined;
    return this.#f64[(slot + SLOT_HEADER + NUMBER_AT) >> 3];
  }

  /** What `slot` holds, as a {@link Form}. Hold the lock. */
  formAt(slot: number): Form {
    const number = this.numberAt(slot);
    if (number !== undefined) return number;
    const start = slot + SLOT_HEADER;
    const end = start + this.#u32[(slot + 4) >> 2]!;
    // A copy first: decoding straight from shared memory is refused by some browsers.
    if (this.#u8[start] === PLAIN_TAG) return decoder.decode(this.#u8.slice(start + 1, end));
    return this.#u8.slice(start, end);
  }

  /** Store `form` as `key`'s value (undefined: remove `key`), in place when it fits. */
  put(key: string, form: Form): void {
    this.#lock.enter();
    try {
      if (form === undefined) this.delete(key);
      else if (typeof form === 'number') this.#putNumber(key, form);
      else if (typeof form === 'string') this.write(key, plainBytes(form));
      else this.write(key, form);
    } finally {
      this.#lock.exit();
    }
  }

  #putNumber(key: string, value: number): void {
    const slot = this.slotOf(key);
    if (slot < 0) {
      const bytes = new Uint8Array(NUMBER_BYTES);
      bytes[0] = NUMBER_TAG;
      new Float64Array(bytes.buffer, NUMBER_AT, 1)[0] = value;
      this.write(key, bytes);
      return;
    }
    this.setNumberAt(slot, value);
  }

  /** Store the number `value` in `slot`, in place (every slot has room for a number). Hold the lock. */
  setNumberAt(slot: number, value: number): void {
    this.#u8[slot + SLOT_HEADER] = NUMBER_TAG;
    this.#f64[(slot + SLOT_HEADER + NUMBER_AT) >> 3] = value;
    this.#u32[(slot + 4) >> 2] = NUMBER_BYTES;
  }

  /** A copy of `key`'s bytes, or undefined when unset. */
  read(key: string): Uint8Array | undefined {
    return this.locked(() => {
      const offset = this.#directory().get(key);
      return offset === undefined ? undefined : this.#readSlot(offset);
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
      const used = offset === undefined ? 0 : this.#u32[(offset + 4) >> 2]!;
      const needed = used + 4 + record.length;
      if (offset !== undefined && this.#capacity(offset) >= needed) {
        new DataView(this.buffer).setUint32(offset + SLOT_HEADER + used, record.length, true);
        this.#u8.set(record, offset + SLOT_HEADER + used + 4);
        this.#u32[(offset + 4) >> 2] = needed;
        return;
      }
      const grown = new Uint8Array(Math.max(needed * 2, 256));
      if (offset !== undefined) grown.set(this.#readSlot(offset));
      new DataView(grown.buffer).setUint32(used, record.length, true);
      grown.set(record, used + 4);
      this.write(key, grown);
      const slot = this.#directory().get(key)!;
      this.#u32[(slot + 4) >> 2] = needed; // the slot holds `needed` bytes of records, the rest is room
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

  #makeViews(): void {
    const bytes = this.buffer.byteLength & ~7;
    this.#u8 = new Uint8Array(this.buffer, 0, bytes);
    this.#u32 = new Uint32Array(this.buffer, 0, bytes >> 2);
    this.#f64 = new Float64Array(this.buffer, 0, bytes >> 3);
  }

  #capacity(offset: number): number { return this.#u32[offset >> 2]!; }
  #dirSlot(): number { return Atomics.load(this.#header, DIR_SLOT); }

  #readSlot(offset: number): Uint8Array {
    const length = this.#u32[(offset + 4) >> 2]!;
    return this.#u8.slice(offset + SLOT_HEADER, offset + SLOT_HEADER + length);
  }

  #fill(offset: number, bytes: Uint8Array): void {
    this.#u32[(offset + 4) >> 2] = bytes.length;
    this.#u8.set(bytes, offset + SLOT_HEADER);
  }

  /** A new slot for `bytes` at the heap's end, with room to grow; space was reserved beforehand. */
  #allocate(bytes: Uint8Array): number {
    const offset = Atomics.load(this.#header, HEAP_END);
    const capacity = slotCapacity(bytes.length);
    this.#u32[offset >> 2] = capacity;
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
      // The buffer only grows under the lock, and every growth comes with a new directory.
      if ((this.buffer.byteLength & ~7) !== this.#u8.length) this.#makeViews();
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
    if ((this.buffer.byteLength & ~7) !== this.#u8.length) this.#makeViews();
    if (Atomics.load(this.#header, HEAP_END) + want <= this.#u8.length) return;
    if (compact && Atomics.load(this.#header, WASTE) > 0) this.#compact();
    const end = Atomics.load(this.#header, HEAP_END);
    if (end + want <= this.#u8.length) return;
    const buffer = this.buffer as SharedArrayBuffer & Growable;
    const size = Math.max(buffer.byteLength * 2, end + want);
    const max = buffer.growable === true ? buffer.maxByteLength ?? 0 : 0;
    if (end + want > max) {
      throw new RangeError(`Share: out of shared memory (${Math.round(buffer.byteLength / 1024)} KiB in use); store less in it`);
    }
    buffer.grow!(Math.min(alignUp(size), max));
    this.#makeViews();
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

/** Plain data's stored form: the tag, then the JSON text in UTF-8 (a view of `scratch`: copy it before the next call). */
function plainBytes(text: string): Uint8Array {
  if (text.length * 3 + 1 > scratch.length) scratch = new Uint8Array(alignUp(text.length * 3 + 1));
  scratch[0] = PLAIN_TAG;
  const { written } = encoder.encodeInto(text, scratch.subarray(1));
  return scratch.subarray(0, written + 1);
}

function alignUp(bytes: number): number {
  return (bytes + 7) & ~7;
}

/** Room for a value of `length` bytes and some growth; a multiple of 8 (slots stay aligned), never below a number's form. */
function slotCapacity(length: number): number {
  return alignUp(Math.max(NUMBER_BYTES, Math.ceil(length * 1.25)));
}
