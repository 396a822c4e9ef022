/**
 * The cross-thread lock of a Share's memory: three Int32 words at the start of its header. The lock
 * word is 0 (free), 1 (held) or 2 (held, and a thread may be asleep on it): an uncontended take is
 * one compare-exchange, an uncontended release one exchange; a thread that finds it held spins a
 * little (a Share operation holds it for about a microsecond) before it sleeps in `Atomics.wait`.
 * The holder's token sits beside it, so a lock held by a worker that died can be freed.
 */

/** Header words the lock owns (the store lays out the rest of the header after them). */
export const LOCK_WORDS = 3;
const LOCK = 0;
/** The token of the thread holding the lock (0: none), so a supervisor can free a lock its dead worker held. */
const OWNER = 1;
/** Set when a dead holder's lock was freed: the value it was writing may be half written. */
const BROKEN = 2;

/** How long a thread waits for the lock before it reports a holder that will not let go. */
const LOCK_PATIENCE = 10_000;
/**
 * Tries before a thread that finds the lock held goes to sleep on it. The holder usually lets go
 * within a microsecond, and a sleep costs two system calls (the wait, and the holder's notify).
 */
const SPINS = 200;

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

/** Every Share lock this thread has seen, to free those a dead worker held. */
const known = new Set<WeakRef<ShareLock>>();

/**
 * The worker with `token` ended (terminated, crashed): free every Share lock it held, and mark
 * those Shares broken (`hasError`: the value it was writing may be half written).
 */
export function releaseLocksOf(token: number): void {
  for (const ref of known) {
    const lock = ref.deref();
    if (lock === undefined) known.delete(ref);
    else lock.releaseIfHeldBy(token);
  }
}

/**
 * A worker that ends itself (`process.exit`, `close()`) frees the Share locks it holds on its way
 * out: its parent may be blocked on one, unable to learn that it ended.
 */
export function releaseLocksHeldHere(): void {
  releaseLocksOf(lockToken);
}

/** Lock depth per buffer in this thread: a Share's own operations nest (a method call reads, then writes). */
const depths = new WeakMap<SharedArrayBuffer, { depth: number }>();

/** One thread's hold on the lock of a Share's memory (re-entrant within the thread). */
export class ShareLock {
  readonly #words: Int32Array;
  /** This thread's depth on the buffer, shared by every view of it in this thread. */
  readonly #held: { depth: number };

  /** `words`: the header's first {@link LOCK_WORDS} Int32s, as a fixed-length view. */
  constructor(buffer: SharedArrayBuffer, words: Int32Array) {
    let held = depths.get(buffer);
    if (!held) depths.set(buffer, (held = { depth: 0 }));
    this.#held = held;
    this.#words = words;
    known.add(new WeakRef(this));
  }

  /** Take the lock (or go one level deeper when this thread holds it); pair with {@link exit}. */
  enter(): void {
    const held = this.#held;
    if (held.depth === 0) {
      const words = this.#words;
      if (Atomics.compareExchange(words, LOCK, 0, 1) !== 0) this.#contend();
      words[OWNER] = lockToken; // published by the release's exchange; read only to free a dead holder's lock
    }
    held.depth += 1;
  }

  /** Leave one level; the outermost frees the lock. */
  exit(): void {
    const held = this.#held;
    held.depth -= 1;
    if (held.depth === 0) this.#release();
  }

  /** Whether this thread holds the lock right now. */
  get isHeld(): boolean {
    return this.#held.depth > 0;
  }

  /** Take the lock only if it is free now; returns whether it was taken (release with {@link unlock}). */
  tryLock(): boolean {
    if (this.#held.depth > 0) return false;
    if (Atomics.compareExchange(this.#words, LOCK, 0, 1) !== 0) return false;
    this.#words[OWNER] = lockToken;
    this.#held.depth = 1;
    return true;
  }

  /** Release a lock taken with {@link tryLock}. */
  unlock(): void {
    this.#held.depth = 0;
    this.#release();
  }

  /** Whether a dead holder's lock was ever freed. */
  get broken(): boolean { return Atomics.load(this.#words, BROKEN) === 1; }
  set broken(value: boolean) { Atomics.store(this.#words, BROKEN, value ? 1 : 0); }

  /** Free the lock if the thread with `token` holds it (that thread is gone); see {@link releaseLocksOf}. */
  releaseIfHeldBy(token: number): void {
    const words = this.#words;
    // Claim the token first, in one step: of two threads freeing the same dead holder, only one
    // goes on to clear the lock (the other would free a live holder's).
    if (Atomics.load(words, LOCK) === 0 || Atomics.compareExchange(words, OWNER, token, 0) !== token) return;
    Atomics.store(words, BROKEN, 1);
    Atomics.store(words, LOCK, 0);
    Atomics.notify(words, LOCK);
  }

  #release(): void {
    const words = this.#words;
    words[OWNER] = 0;
    if (Atomics.exchange(words, LOCK, 0) === 2) Atomics.notify(words, LOCK, 1);
  }

  #contend(): void {
    const words = this.#words;
    for (let spin = 0; spin < SPINS; spin++) {
      if (Atomics.load(words, LOCK) === 0 && Atomics.compareExchange(words, LOCK, 0, 1) === 0) return;
    }
    const deadline = Date.now() + LOCK_PATIENCE;
    const wait = canWait();
    let hookAt = Date.now() + WAIT_HOOK_PERIOD;
    for (let spins = 0; ; spins++) {
      // 2: the holder's release wakes a sleeper. Taken this way the lock stays marked 2 (another
      // thread may still sleep on it), at the cost of one notify that may find nobody.
      if (Atomics.exchange(words, LOCK, 2) === 0) return;
      if (wait) {
        Atomics.wait(words, LOCK, 2, WAIT_HOOK_PERIOD);
        // Woken (or timed out): the releaser's next taker is usually faster than a sleeper, so
        // spin again rather than go straight back to sleep and be woken by every release.
        for (let spin = 0; spin < SPINS; spin++) {
          if (Atomics.load(words, LOCK) === 0 && Atomics.compareExchange(words, LOCK, 0, 2) === 0) return;
        }
      }
      if (whileWaiting && (wait || (spins & 255) === 0) && Date.now() >= hookAt) {
        hookAt = Date.now() + WAIT_HOOK_PERIOD;
        whileWaiting();
      }
      // A worker this thread terminated holds it: this thread may be the one that has to free it.
      const owner = Atomics.load(words, OWNER);
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
}
