/**
 * One worker's life within a process, seen from the parent: the worker, the tell/listen channel
 * wired to it, the pipe points that moved into it, and what went wrong on the way (a timeout, a
 * broken protocol, the failure that exhausted the lives inside it).
 */
import type { ControlBlock } from './control.ts';
import { ProcessError, type ProcessTimeoutError } from '../errors.ts';
import { Mailbox, Serialized, describeMessage, isBare, receiveValues } from './mailbox.ts';
import { Outbox } from './outbox.ts';
import type { BareValue, ParentMail, ValueMessage, WorkerMail } from '../protocol.ts';
import { deserialize } from '../serializer/index.ts';
import type { Pipe } from '../pipe/pipe.ts';
import { endpointsOf, pointsEnded } from '../pipe/points.ts';
import { messageOf, type WorkerLife } from '../runtime/worker-life.ts';

/** What an attempt shares with its process: where tells arrive, and the control block progress goes to. */
export interface AttemptHost {
  /** The parent's inbox: the worker's tells land here. */
  readonly inbox: Mailbox<unknown>;
  readonly control: ControlBlock;
  /** The process's run index now (for error messages). */
  currentRun(): number;
}

/** One worker's life within a process. */
export class Attempt {
  /** The worker's end of the mail channel, sent to it in the start message. */
  readonly workerPort: MessagePort;
  /** What the parent sends on the mail channel. */
  readonly outbox: Outbox<Exclude<ParentMail, ValueMessage | BareValue>>;
  /** Settles when the worker's END_OF_MAIL arrives: every tell before its outcome has been read. */
  readonly mailEnded: Promise<void>;
  /** Set when the parent ends the worker on purpose (a timeout); otherwise its end is a crash. */
  timedOut: ProcessTimeoutError | null = null;
  /** Set when the worker broke the mail protocol (a message its receiver does not know); the worker is then ended. */
  broken: ProcessError | null = null;
  /** The failure that exhausted the lives inside the worker, reported before it runs `__error__`. */
  exhaustedBy: ProcessError | null = null;
  /** Pipe points that moved into this worker: their anchors learn when it ends. */
  readonly #points = new Set<Pipe>();
  /** The parent's end of the mail channel. */
  readonly #mail: MessagePort;
  #endMail!: () => void;

  constructor(
    readonly life: WorkerLife,
    private readonly host: AttemptHost,
  ) {
    const channel = new MessageChannel();
    this.#mail = channel.port1;
    this.workerPort = channel.port2;
    this.mailEnded = new Promise<void>((resolve) => { this.#endMail = resolve; });
    this.outbox = new Outbox(channel.port1, () => host.inbox.size > 0);
    this.#mail.onmessage = (event: MessageEvent) => this.#receive(event.data);
  }

  /** Pipe points that moved into the worker (with its state or a tell). */
  adopt(moved: Transferable[]): void {
    for (const point of endpointsOf(moved)) this.#points.add(point);
  }

  /**
   * Tell the worker a message, noting the pipe points that move with it. One whose ports already
   * moved to a worker that died is not sent again: those ports ended with it.
   */
  post(told: unknown): void {
    if (told instanceof Serialized && told.moved) return;
    const moved = this.outbox.value(told);
    if (moved.length === 0) return;
    (told as Serialized).moved = true;
    this.adopt(moved);
  }

  /** The section watchdog saw a section pass its timeout: the worker is ended for it. */
  timeOut(timeout: ProcessTimeoutError): void {
    this.timedOut = timeout;
    this.life.terminate();
  }

  /** Close the mail channel and tell the pipe points' anchors; the worker itself is the caller's to end or give back. */
  close(): void {
    this.outbox.close();
    this.#mail.onmessage = null;
    this.#mail.close();
    pointsEnded(this.#points);
  }

  /**
   * One message from the worker on the mail port. One the parent does not know, or the worker's
   * report that it got one, breaks the protocol: the worker is ended and the process fails, naming it.
   */
  #receive(data: unknown): void {
    const { inbox, control } = this.host;
    if (isBare(data)) return inbox.push(data);
    const message = data as Exclude<WorkerMail, BareValue>;
    switch (message.kind) {
      case 'values':
      case 'serialized':
        return receiveValues(inbox, message);
      case 'end':
        return this.#endMail();
      case 'failure':
        this.exhaustedBy = readProcessError(message.error);
        return;
      case 'progress':
        return control.applyProgress(message);
      case 'read':
        return control.noteTellsRead();
      case 'unknown-message':
        return this.#breakProtocol(`the worker got a message it does not know on the mail port: ${message.message}`);
      default:
        message satisfies never; // every kind of WorkerMail has its case
        return this.#breakProtocol(`the worker sent a message the mail port does not know: ${describeMessage(data)}`);
    }
  }

  #breakProtocol(what: string): void {
    if (this.broken !== null || this.timedOut !== null) return;
    this.broken = new ProcessError(`${what} (the worker and the parent do not speak the same protocol)`, { currentRun: this.host.currentRun() });
    this.life.terminate();
  }
}

/** A process's error as the worker sent it; one that cannot be read becomes an error saying so. */
export function readProcessError(data: unknown): ProcessError {
  try {
    const error = deserialize(data);
    return error instanceof ProcessError ? error : new ProcessError(messageOf(error), { originalError: error });
  } catch (error) {
    return new ProcessError(`the process's error could not be read: ${messageOf(error)}`, { originalError: error });
  }
}
