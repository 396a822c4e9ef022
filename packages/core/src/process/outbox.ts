/**
 * The sending side of a mail port, and its batching: a burst of tells goes out in few messages
 * (see {@link Outbox}). Split from mailbox.ts, the receiving side.
 */
import type { ValueMessage, WorkerMail } from '../protocol.ts';
import { Queue } from '../queue.ts';
import { NO_PORTS, Serialized, postValue } from './mailbox.ts';

let taskChannel: MessageChannel | null = null;
const afterTask = new Queue<() => void>();

/**
 * Run `callback` in a later turn of the event loop, once this one's microtasks are done. Not
 * `setTimeout(0)`: browsers clamp chained timers to 4 ms (which made a process of many short runs
 * 10× slower without shared memory).
 */
export function afterThisTask(callback: () => void): void {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (immediate) {
    immediate(callback);
    return;
  }
  if (!taskChannel) {
    taskChannel = new MessageChannel();
    taskChannel.port1.onmessage = () => afterTask.shift()?.();
  }
  afterTask.push(callback);
  taskChannel.port2.postMessage(null);
}

/** Values one message carries at most: a long burst still goes out in pieces the other side can start on. */
const BATCH_LIMIT = 512;
/** A batch goes out once this many ms passed since the last message, checked as values join it. */
const BATCH_WAIT = 2;
/** Microtask turns with nothing new after which what was gathered goes out. */
const QUIET_TURNS = 3;

/** Outboxes holding gathered values, for {@link flushAllMail}. */
const holding = new Set<Outbox<{ readonly kind: string }>>();

/**
 * Send every value gathered in this thread now: before the thread ends itself (`process.exit()`,
 * `close()`), and while it blocks in a Share lock wait (what it waits for may answer a tell).
 */
export function flushAllMail(): void {
  for (const outbox of [...holding]) outbox.flush();
}

/**
 * The sending side of a mail port. A value told while nothing else is going out is posted at once;
 * values told right after it (a burst: a loop of tells, an echo loop over queued messages) are
 * gathered and go out together, in order, once the burst stops for a few microtask turns (or, while
 * the owner works through queued messages, at the end of this turn of the event loop), when
 * {@link BATCH_LIMIT} are waiting, or when {@link BATCH_WAIT} ms passed. Only values fixed at the
 * call are gathered (primitives and plain copies); anything serialized, and every note, goes out
 * at once, after what was gathered before it. What was gathered also goes out when the owner waits
 * for a message (its mailbox's `beforeWait`), after a synchronous section (the engine flushes), when
 * the thread ends itself or waits for a Share lock ({@link flushAllMail}), and with the next tell of
 * a thread that was busy for a while. A worker gathers nothing in a section that has a timeout
 * (see `mayHold`): a hook blocked until its timeout ends the worker has sent every tell it made.
 */
export class Outbox<Note extends { readonly kind: string }> {
  readonly #port: MessagePort;
  #values: unknown[] = [];
  /** A message went out at once and what follows in the same burst is gathered. */
  #gathering = false;
  /** Something joined the batch since the flusher last looked. */
  #fresh = false;
  #quietTurns = 0;
  #sentAt = 0;
  #closed = false;
  readonly #busy: () => boolean;
  readonly #mayHold: () => boolean;

  /**
   * @param busy - whether the owner still has received messages queued to work through (an echo loop
   * over a burst: a run's own await chain may take a dozen microtask turns between two tells); what is
   * gathered then goes out when this turn of the event loop is over, or when the owner waits for more.
   * @param mayHold - whether values may be gathered now; when not, each goes out at once (a worker's
   * section with a timeout: a thread blocked until the timeout ends it could not send what it held).
   */
  constructor(port: MessagePort, busy: () => boolean = () => false, mayHold: () => boolean = () => true) {
    this.#port = port;
    this.#busy = busy;
    this.#mayHold = mayHold;
  }

  /** Send an encoded value ({@link encodeMail}); returns the ports that moved with it. */
  value(encoded: unknown): Transferable[] {
    if (this.#closed) return NO_PORTS;
    if (encoded instanceof Serialized || !this.#mayHold()) {
      this.flush();
      return postValue(this.#port, encoded);
    }
    if (!this.#gathering) {
      postValue(this.#port, encoded);
      this.#gather();
    } else {
      this.#values.push(encoded);
      this.#joined();
    }
    return NO_PORTS;
  }

  /**
   * One more of the other side's values was read (without shared memory). Reported at once, never
   * gathered: a worker ended by a timeout while it held a count back would have its replacement
   * given those tells again.
   */
  read(): void {
    if (this.#closed) return;
    this.#port.postMessage({ kind: 'read' } satisfies WorkerMail);
  }

  /** Post a control note, after everything gathered before it. */
  note(note: Note): void {
    if (this.#closed) return;
    this.flush();
    this.#port.postMessage(note);
  }

  /** Post what was gathered now. */
  flush(): void {
    if (this.#values.length === 0) return;
    holding.delete(this);
    const values = this.#values;
    this.#values = [];
    this.#port.postMessage({ kind: 'values', values } satisfies ValueMessage);
    this.#sentAt = performance.now();
  }

  /** Nothing more goes out; what was gathered is dropped (the port is closing). */
  close(): void {
    this.#closed = true;
    this.#values = [];
    holding.delete(this);
  }

  #joined(): void {
    if (this.#values.length === 1) holding.add(this);
    this.#fresh = true;
    if (this.#values.length >= BATCH_LIMIT || performance.now() - this.#sentAt > BATCH_WAIT) this.flush();
  }

  #gather(): void {
    this.#gathering = true;
    this.#fresh = false;
    this.#quietTurns = 0;
    this.#sentAt = performance.now();
    queueMicrotask(this.#look);
  }

  /** Re-queued each microtask turn while values keep joining; flushes once the burst is over (or the event loop turn, when busy). */
  readonly #look = (): void => {
    if (this.#busy()) return afterThisTask(this.#done);
    if (this.#fresh) {
      this.#fresh = false;
      this.#quietTurns = 0;
    } else if (++this.#quietTurns >= QUIET_TURNS) return this.#done();
    queueMicrotask(this.#look);
  };

  readonly #done = (): void => {
    this.#gathering = false;
    if (!this.#closed) this.flush();
  };
}
