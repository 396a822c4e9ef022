/**
 * tell/listen: a queue with waiting readers on each side, fed by a MessagePort of its own per worker.
 * Messages are one-way (no acknowledgement), unlike Comlink calls, which halves the messages per
 * round trip; Comlink keeps the run call. The same port carries a few control notes, so that they
 * stay in order with the messages around them. Pipes post their values the same way.
 *
 * Every message on these ports is one of protocol.ts's: a primitive is one value as it is, and every
 * other message is an object told apart by `kind` alone. An object a user sends rides inside a
 * `values` or `serialized` message and is never read as a message itself.
 */
import { SerializationError } from '../errors.ts';
import type { BareValue, ValueMessage, WorkerMail } from '../protocol.ts';
import { describeMessage } from '../runtime/worker-life.ts';
import { deserialize, isPlainPrimitive, serialize, type SerializedValue } from '../serializer/index.ts';
import { markTransferred, transferFor } from '../serializer/transfer.ts';
import { Queue } from '../queue.ts';

export { describeMessage };

/** The longest delay timers accept (2³¹ − 1 ms); longer waits are capped to it. */
export const MAX_DELAY = 2_147_483_647;

/** A message that could not be read, queued in its place: the reader that takes it rejects. */
class Unreadable {
  constructor(readonly error: unknown) {}
}

/** What a woken or timed-out reader gets. */
const NOTHING: unique symbol = Symbol('nothing arrived');

type Reader = (item: unknown) => void;

/** What a {@link Mailbox}'s owner learns as it is read. */
export interface MailboxHooks {
  /** Called each time a reader takes a message (not a timeout or a wake-up). */
  readonly onTaken?: () => void;
  /** Called when a reader finds nothing queued and is about to wait (send what was gathered: the other side may be waiting for it). */
  readonly beforeWait?: () => void;
}

/** A queue of messages with waiting readers: one per side of a process's tell/listen, one per pipe end. */
export class Mailbox<T> {
  readonly #queue = new Queue<unknown>();
  readonly #waiting: Reader[] = [];
  #closed = false;
  readonly #onTaken: (() => void) | undefined;
  readonly #beforeWait: (() => void) | undefined;

  constructor(hooks: MailboxHooks = {}) {
    this.#onTaken = hooks.onTaken;
    this.#beforeWait = hooks.beforeWait;
  }

  /** Hand a message to the oldest waiting reader, or queue it. */
  push(value: T): void {
    this.#deliver(value);
  }

  /** Messages that arrived together, oldest first. */
  pushAll(values: readonly T[]): void {
    for (let i = 0; i < values.length; i += 1) this.#deliver(values[i]);
  }

  /** A message that could not be read: the reader that gets it rejects with `error`. */
  pushError(error: unknown): void {
    this.#deliver(new Unreadable(error));
  }

  #deliver(item: unknown): void {
    const reader = this.#waiting.shift();
    if (reader) {
      this.#onTaken?.();
      reader(item);
    } else this.#queue.push(item);
  }

  /**
   * The next message; `undefined` once `timeout` ms pass without one, when `signal` aborts, when
   * the waiting readers are woken, or at once when closed and empty. A reader that gave up takes nothing.
   */
  next(timeout?: number, signal?: AbortSignal): Promise<T | undefined> {
    return this.take(timeout, signal, undefined);
  }

  /** As {@link next}, but `nothing` stands for "no message" (so that a message `undefined` can be told apart). */
  take<E>(timeout: number | undefined, signal: AbortSignal | undefined, nothing: E): Promise<T | E> {
    if (this.#queue.length > 0) {
      const queued = this.#queue.shift();
      this.#onTaken?.();
      return queued instanceof Unreadable ? Promise.reject(queued.error) : Promise.resolve(queued as T);
    }
    if (this.#closed || signal?.aborted) return Promise.resolve(nothing);
    this.#beforeWait?.();
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const reader: Reader = (item) => {
        const index = this.#waiting.indexOf(reader);
        if (index >= 0) this.#waiting.splice(index, 1);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (item === NOTHING) resolve(nothing);
        else if (item instanceof Unreadable) reject(item.error);
        else resolve(item as T);
      };
      const onAbort = () => reader(NOTHING);
      this.#waiting.push(reader);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined && timeout !== null) timer = setTimeout(onAbort, Math.min(timeout, MAX_DELAY));
    });
  }

  /** Resolve every waiting reader with "nothing" (a stop: what they wait for may never come). */
  wake(): void {
    for (const reader of [...this.#waiting]) reader(NOTHING);
  }

  /** Nothing more will arrive: waiting readers get nothing; queued messages can still be read. */
  close(): void {
    this.#closed = true;
    this.wake();
  }

  /** Accept waiting readers again after {@link close} (a pipe re-paired with a new worker). */
  reopen(): void {
    this.#closed = false;
  }

  /** Messages queued and not yet read. */
  get size(): number {
    return this.#queue.length;
  }
}

// ── encoding ────────────────────────────────────────────────────────────────────────────────

/** A told or piped value that goes through cucumber. `moved` once the ports it holds went with it. */
export class Serialized {
  moved = false;
  constructor(readonly envelope: SerializedValue) {}
}

/**
 * A tell that waits for its worker (not up yet) as its own copy, taken now: the envelope still
 * holds the caller's objects, which may change before it is posted. Taking the copy is also where
 * a value postMessage refuses (a Proxy, in a browser) fails, at the `tell()` that made it. Not for
 * envelopes carrying ports (Pipe points): those must move as they are.
 */
export function queuedCopy(encoded: Serialized): Serialized {
  try {
    return new Serialized(structuredClone(encoded.envelope));
  } catch (error) {
    throw refusedByPost(error);
  }
}

const NOT_PLAIN: unique symbol = Symbol('not plain');
/** Property and element slots a value may have in all to be copied as plain; bigger ones go through cucumber. */
const PLAIN_SLOTS = 64;
const PLAIN_DEPTH = 8;

const ownDescriptor = Object.getOwnPropertyDescriptor;

interface CopyBudget {
  slots: number;
  /** The objects met so far: one met twice (a shared reference or a cycle) is not copied, cucumber keeps it. */
  seen: object[];
}

/**
 * A copy of `value` when structured clone would carry it exactly and it is small: a primitive
 * (not a symbol), or a tree of plain objects (Object.prototype) and dense arrays of such. No getter
 * runs here (one goes to cucumber, which reads it once), and a frozen, sealed or non-extensible
 * value goes to cucumber, which keeps that state.
 */
function plainCopy(value: unknown, budget: CopyBudget, depth: number): unknown {
  if (isPlainPrimitive(value)) return value;
  if (typeof value !== 'object') return NOT_PLAIN; // a function or a symbol
  if (depth === PLAIN_DEPTH || budget.seen.includes(value) || !Object.isExtensible(value)) return NOT_PLAIN;
  budget.seen.push(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype && Array.isArray(value)) {
    const length = value.length;
    budget.slots -= length;
    if (budget.slots < 0 || Object.keys(value).length !== length) return NOT_PLAIN;
    const copy = new Array<unknown>(length);
    for (let i = 0; i < length; i += 1) {
      const own = ownDescriptor(value, i);
      if (own === undefined || !('value' in own)) return NOT_PLAIN; // a hole, or a getter
      const item = plainCopy(own.value, budget, depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
    }
    return copy;
  }
  if (proto !== Object.prototype) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  budget.slots -= keys.length;
  if (budget.slots < 0) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === '__proto__') return NOT_PLAIN;
    const own = ownDescriptor(record, key);
    if (own === undefined || !('value' in own)) return NOT_PLAIN; // a getter
    const item = plainCopy(own.value, budget, depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
}

/**
 * What a tell or a pipe send carries, fixed at the moment of the call: primitives as they are, small
 * plain objects and arrays as a copy (no cucumber envelope for them), anything else serialized.
 * @throws SerializationError when the value cannot be sent.
 */
export function encodeMail(data: unknown): unknown {
  if (isPlainPrimitive(data)) return data;
  try {
    const copy = plainCopy(data, { slots: PLAIN_SLOTS, seen: [] }, 0);
    if (copy !== NOT_PLAIN) return copy;
  } catch {
    // A Proxy's trap threw: cucumber reads the value again and names where it failed.
  }
  return new Serialized(serialize(data));
}

/** An empty transfer list, shared. */
export const NO_PORTS: Transferable[] = [];

/** Whether a received message is a {@link BareValue}: a primitive is a value, every other message is an object with a `kind`. */
export function isBare(message: unknown): message is BareValue {
  return typeof message !== 'object' || message === null;
}

/** Post one encoded value on `port` now; returns the ports that moved with it (their owners are told). */
export function postValue(port: MessagePort, encoded: unknown): Transferable[] {
  if (!(encoded instanceof Serialized)) {
    port.postMessage(encoded !== undefined && isBare(encoded) ? encoded : ({ kind: 'values', values: [encoded] } satisfies ValueMessage));
    return NO_PORTS;
  }
  const transfer = transferFor(encoded.envelope);
  try {
    port.postMessage({ kind: 'serialized', value: encoded.envelope } satisfies ValueMessage, transfer);
  } catch (error) {
    throw refusedByPost(error);
  }
  if (transfer.length > 0) markTransferred(transfer);
  return transfer;
}

/**
 * What postMessage's refusal of a serialized value means. cucumber refuses with a path what it can
 * see (a Proxy in Node, detached buffers, nesting too deep); a browser cannot tell a Proxy from its
 * target, so there one reaches postMessage.
 */
export function refusedByPost(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'DataCloneError') return error;
  return new SerializationError(
    `postMessage refused the value (${error.message}); in a browser that is usually a Proxy, which nothing can tell from ` +
      'its target before posting: send the target, or a plain copy', 'root', error);
}

/** Put the values of `message` into `mailbox`; one that cannot be read reaches its reader as a `SerializationError`. */
export function receiveValues(mailbox: Mailbox<unknown>, message: ValueMessage): void {
  if (message.kind === 'values') return mailbox.pushAll(message.values);
  try {
    mailbox.push(deserialize(message.value));
  } catch (error) {
    mailbox.pushError(error instanceof SerializationError ? error : new SerializationError('a told message could not be read', 'root', error));
  }
}
