/**
 * tell/listen: a queue with waiting readers on each side, fed by a MessagePort of its own per worker.
 * Messages are one-way (no acknowledgement), unlike Comlink calls, which halves the messages per
 * round trip; Comlink keeps the run call. The same port carries a few control notes (`MailNote`),
 * so that they stay in order with the messages around them.
 */
import { SerializationError } from '../errors.ts';
import type { MailNote } from '../protocol.ts';
import { deserialize, serialize } from '../serializer/index.ts';

/** The longest delay timers accept (2³¹ − 1 ms); longer waits are capped to it. */
export const MAX_DELAY = 2_147_483_647;

type Entry<T> = { value: T } | { error: unknown };
type Reader<T> = (entry: Entry<T | undefined>) => void;

/** A queue of messages with waiting readers: one per side of a process's tell/listen. */
export class Mailbox<T> {
  readonly #queue: Array<Entry<T>> = [];
  readonly #waiting: Array<Reader<T>> = [];
  #closed = false;
  readonly #onTaken: (() => void) | undefined;

  /** @param onTaken - called each time a reader takes a message (not a timeout or a wake-up) */
  constructor(onTaken?: () => void) {
    this.#onTaken = onTaken;
  }

  /** Hand a message to the oldest waiting reader, or queue it. */
  push(value: T): void {
    this.#deliver({ value });
  }

  /** A message that could not be read: the reader that gets it rejects with `error`. */
  pushError(error: unknown): void {
    this.#deliver({ error });
  }

  #deliver(entry: Entry<T>): void {
    const reader = this.#waiting.shift();
    if (reader) {
      this.#onTaken?.();
      reader(entry);
    } else this.#queue.push(entry);
  }

  /**
   * The next message; `undefined` once `timeout` ms pass without one, when `signal` aborts, when
   * the waiting readers are woken, or at once when closed and empty. A reader that gave up takes nothing.
   */
  next(timeout?: number, signal?: AbortSignal): Promise<T | undefined> {
    const queued = this.#queue.shift();
    if (queued) this.#onTaken?.();
    if (queued) return 'error' in queued ? Promise.reject(queued.error) : Promise.resolve(queued.value);
    if (this.#closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const leave = () => {
        const index = this.#waiting.indexOf(reader);
        if (index >= 0) this.#waiting.splice(index, 1);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        resolve(undefined);
      };
      const reader: Reader<T> = (entry) => {
        leave();
        if ('error' in entry) reject(entry.error);
        else resolve(entry.value);
      };
      this.#waiting.push(reader);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined && timeout !== null) timer = setTimeout(onAbort, Math.min(timeout, MAX_DELAY));
    });
  }

  /** Resolve every waiting reader with `undefined` (a stop: nothing they wait for may come). */
  wake(): void {
    for (const reader of [...this.#waiting]) reader({ value: undefined });
  }

  /** Nothing more will arrive: waiting readers get `undefined`; queued messages can still be read. */
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

/** Whether a mail-port message is a control note rather than a told value. */
export function isNote(message: unknown): message is MailNote {
  return typeof message === 'object' && message !== null && typeof (message as { sk?: unknown }).sk === 'string' && !('format' in message);
}

/** What a tell puts on a mail port: strings, numbers, booleans, bigints, null and undefined bare; anything else serialized. */
export function encodeMail(data: unknown): unknown {
  const type = typeof data;
  if (data === null || type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint' || type === 'undefined') return data;
  return serialize(data);
}

/** Put a told message into `mailbox`; one that cannot be read reaches the reader as a `SerializationError`. */
export function receiveMail(mailbox: Mailbox<unknown>, message: unknown): void {
  if (typeof message !== 'object' || message === null) return mailbox.push(message);
  try {
    mailbox.push(deserialize(message));
  } catch (error) {
    mailbox.pushError(error instanceof SerializationError ? error : new SerializationError('a told message could not be read', 'root', error));
  }
}
