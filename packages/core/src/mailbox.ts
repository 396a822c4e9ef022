/**
 * tell/listen: a queue with waiting readers on each side, fed by a MessagePort of its own per worker.
 * Messages are one-way (no acknowledgement), unlike Comlink calls, which halves the messages per
 * round trip; Comlink keeps the control calls.
 */
import { deserialize, serialize } from './serializer/index.ts';

/** A queue of messages with waiting readers: one per side of a process's tell/listen. */
export class Mailbox<T> {
  readonly #queue: T[] = [];
  readonly #waiting: Array<(value: T | undefined) => void> = [];
  #closed = false;

  /** Hand a message to the oldest waiting reader, or queue it. */
  push(value: T): void {
    const reader = this.#waiting.shift();
    if (reader) reader(value);
    else this.#queue.push(value);
  }

  /** The next message; `undefined` once `timeout` ms pass without one, or at once when closed and empty. */
  next(timeout?: number): Promise<T | undefined> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift());
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const reader = (value: T | undefined) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(value);
      };
      this.#waiting.push(reader);
      if (timeout !== undefined && timeout !== null) {
        timer = setTimeout(() => {
          const index = this.#waiting.indexOf(reader);
          if (index >= 0) this.#waiting.splice(index, 1);
          resolve(undefined);
        }, timeout);
      }
    });
  }

  /** Nothing more will arrive: waiting readers get `undefined`; queued messages can still be read. */
  close(): void {
    this.#closed = true;
    for (const reader of this.#waiting.splice(0)) reader(undefined);
  }

  /** Messages queued and not yet read. */
  get size(): number { return this.#queue.length; }
}

/** Marks the end of a worker's mail: the parent settles the process only after it, so no tell is overtaken by the outcome. */
export interface EndOfMail {
  readonly endOfMail: true;
}

/** The end-of-mail marker. */
export const END_OF_MAIL: EndOfMail = Object.freeze({ endOfMail: true });

/** Whether a message on a mail port is the {@link END_OF_MAIL} marker. */
export function isEndOfMail(message: unknown): message is EndOfMail {
  return typeof message === 'object' && message !== null && (message as Partial<EndOfMail>).endOfMail === true;
}

/** What a tell puts on a mail port: strings, numbers, booleans, bigints, null and undefined bare; anything else serialized. */
export function encodeMail(data: unknown): unknown {
  const type = typeof data;
  if (data === null || type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint' || type === 'undefined') return data;
  return serialize(data);
}

/** The value a mail-port message carries. */
export function decodeMail(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? deserialize(message) : message;
}
