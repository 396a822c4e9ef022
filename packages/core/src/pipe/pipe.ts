/**
 * `Pipe`: a direct two-way (or one-way) channel between two threads, over a MessageChannel.
 * The anchor stays in the thread that made the pair; the point travels to a worker (it is
 * transferred, not copied, when a process or a message carries it). Values go through cucumber.
 */
import { PipeEndpointError } from '../errors.ts';
import { Mailbox, encodeMail, isNote, receiveMail } from '../process/mailbox.ts';
import type { PipeNote } from '../protocol.ts';
import { ownPort, ownerOf, postEncoded } from '../serializer/transfer.ts';
import type { SerializedValue } from '../serializer/index.ts';
import type { Envelope } from '../serializer/protocol.ts';

/** The id Pipe is registered under (builtins.ts registers every built-in as `suitkaise:<name>`). */
export const PIPE_ID = 'suitkaise:Pipe';

/** Options of {@link Pipe.pair}. */
export interface PipePairOptions {
  /** The anchor only sends and the point only receives. @default false */
  oneWay?: boolean;
}

/** Which end of a pair an endpoint is. */
export type PipeRole = 'anchor' | 'point';

/** What a point carries across a worker boundary (its port is in the transfer list). */
interface PointState {
  readonly port: MessagePort;
  readonly oneWay: boolean;
  readonly pairId: string;
}

/** Node's MessagePort can be unref'd, so an idle pipe does not keep the process alive. */
type RefCounted = { ref?(): void; unref?(): void };

const constructing = Symbol('Pipe.pair');

/** Anchors made in this thread, by pair: a point that has to follow its process into a replacement worker is re-paired with its anchor. */
const anchors = new Map<string, WeakRef<Pipe>>();
let pairCounter = 0;

/** How long an endpoint whose peer ended keeps taking what the peer sent before it reports it closed. */
const DRAIN_MS = 50;

/** Ports this thread takes messages from (an endpoint reads its old port a little longer after a re-pair). */
const listening = new WeakSet<MessagePort>();

function newPairId(): string {
  pairCounter += 1;
  const random = Math.random().toString(36).slice(2, 10);
  return `${pairCounter}-${random}`;
}

/**
 * One endpoint of a pipe. Make endpoints with {@link Pipe.pair}:
 *
 * ```ts
 * const [anchor, point] = Pipe.pair();
 * const p = new PipeProcess(point); p.start();   // the point moves into the worker
 * anchor.send({ action: 'compute', value: 42 });
 * const reply = await anchor.recv();
 * ```
 */
export class Pipe {
  /** `'anchor'`: stays where the pair was made, always locked. `'point'`: may move to a worker. */
  readonly role: PipeRole;
  /** Whether the pair is one-way: the anchor only sends, the point only receives. */
  readonly oneWay: boolean;
  readonly #pairId: string;
  #port: MessagePort | null;
  #locked: boolean;
  /** Why this endpoint can no longer be used here, once it cannot. */
  #gone: string | null = null;
  #peerClosed = false;
  readonly #inbox = new Mailbox<unknown>();
  #waiting = 0;
  /** Passed to a process or queued in a message: no longer this thread's to use or pass again. */
  #claimed = false;
  /** Whether `recv()` was ever called here: from then on, messages are taken off the port as they come. */
  #started = false;

  /** @internal Use {@link Pipe.pair}. */
  constructor(token: typeof constructing, role: PipeRole, port: MessagePort, oneWay: boolean, pairId: string) {
    if (token !== constructing) throw new TypeError('new Pipe() is not public: make a pair with Pipe.pair()');
    this.role = role;
    this.oneWay = oneWay;
    this.#pairId = pairId;
    this.#locked = role === 'anchor';
    this.#port = null;
    this.#attach(port);
  }

  /**
   * Make a connected pair `[anchor, point]`. The anchor stays in this thread (always locked);
   * the point is unlocked and can be passed to a process or sent in a message.
   */
  static pair(options: PipePairOptions = {}): [anchor: Pipe, point: Pipe] {
    const oneWay = options.oneWay === true;
    const channel = new MessageChannel();
    const pairId = newPairId();
    const anchor = new Pipe(constructing, 'anchor', channel.port1, oneWay, pairId);
    anchors.set(pairId, new WeakRef(anchor));
    return [anchor, new Pipe(constructing, 'point', channel.port2, oneWay, pairId)];
  }

  /** Whether this endpoint may not be passed to a process or sent (the anchor always is). */
  get isLocked(): boolean { return this.#locked; }
  /** Whether `close()` was called here or the other end closed. */
  get isClosed(): boolean { return this.#gone !== null || this.#peerClosed; }

  /**
   * Send `value` (through cucumber) to the other end. Does not wait.
   * @throws PipeEndpointError when this end is closed, moved away, or receive-only;
   * SerializationError when `value` cannot be sent.
   */
  send(value: unknown): void {
    const port = this.#usable('send');
    if (this.oneWay && this.role === 'point') throw new PipeEndpointError('send(): this is the point of a one-way pipe; it only receives');
    if (this.#peerClosed) throw new PipeEndpointError('send(): the other end of the pipe is closed');
    postEncoded(port, encodeMail(value));
  }

  /**
   * The next value from the other end. Resolves `undefined` when `timeout` ms pass first.
   * @throws PipeEndpointError (as a rejection) when this end is closed or moved away, is
   * send-only, or the other end closed with nothing left to read.
   */
  async recv(timeout?: number): Promise<unknown> {
    const port = this.#usable('recv');
    if (this.oneWay && this.role === 'anchor') throw new PipeEndpointError('recv(): this is the anchor of a one-way pipe; it only sends');
    this.#listen(port);
    if (this.#inbox.size === 0 && this.#peerClosed) throw this.#closedError();
    this.#hold(1);
    try {
      const value = await this.#inbox.next(timeout);
      if (value === undefined && this.#inbox.size === 0 && this.isClosed) throw this.#closedError();
      return value;
    } finally {
      this.#hold(-1);
    }
  }

  /** Close this end; the other end's pending and later `recv()` reject once it has read what was sent. */
  close(): void {
    const port = this.#port;
    if (this.#gone !== null || port === null) return;
    this.#gone = 'it was closed';
    if (this.role === 'anchor') anchors.delete(this.#pairId);
    try {
      port.postMessage({ sk: 'pipe-close' } satisfies PipeNote);
    } finally {
      this.#detach();
      this.#inbox.close();
    }
  }

  /** Forbid passing this endpoint to a process or in a message. */
  lock(): void {
    this.#locked = true;
  }

  /**
   * Allow passing this point to a process or in a message.
   * @throws PipeEndpointError on an anchor, which is always locked.
   */
  unlock(): void {
    if (this.role === 'anchor') {
      throw new PipeEndpointError('unlock(): the anchor of a pipe is always locked; it stays in the thread that made the pair. Pass the point instead');
    }
    this.#locked = false;
  }

  /** @internal cucumber: what a point carries to the other side (its port is transferred). */
  toState(): PointState {
    if (this.role === 'anchor') {
      throw new PipeEndpointError('a pipe anchor cannot be passed to a process or sent: it stays in the thread that made the pair. Pass the point (the second of Pipe.pair())');
    }
    if (this.#locked) throw new PipeEndpointError('this pipe point is locked: call point.unlock() before passing it to a process or sending it');
    const port = this.#usable('pass');
    if (this.#inbox.size > 0) {
      throw new PipeEndpointError(`this pipe point has ${this.#inbox.size} unread message(s) here: recv() them before passing the point on`);
    }
    return { port, oneWay: this.oneWay, pairId: this.#pairId };
  }

  /** @internal cucumber: a point that arrived here. */
  static fromState(state: PointState): Pipe {
    if (typeof state !== 'object' || state === null || !(state.port instanceof MessagePort)) {
      throw new PipeEndpointError('a received pipe point has no port');
    }
    return new Pipe(constructing, 'point', state.port, state.oneWay === true, String(state.pairId));
  }

  /** @internal This point's worker ended: its anchor, if in this thread, takes what it sent, then sees it closed. */
  peerEnded(): void {
    const anchor = anchors.get(this.#pairId)?.deref();
    if (anchor !== undefined && anchor !== this) anchor.#peerGone();
  }

  /** @internal The port went into a message's transfer list: this endpoint now lives elsewhere. */
  markMoved(port: object): void {
    if (port !== this.#port) return;
    this.#port = null;
    this.#gone = 'it was passed to another thread (a point moves; it is not copied)';
    this.#inbox.close();
  }

  #usable(what: string): MessagePort {
    if (this.#port === null || this.#gone !== null) {
      throw new PipeEndpointError(`${what}(): this pipe ${this.role} cannot be used here: ${this.#gone ?? 'it has no port'}`);
    }
    if (this.#claimed) {
      throw new PipeEndpointError(`${what}(): this pipe point was already passed to a process or put in a message; a point moves to one place`);
    }
    return this.#port;
  }

  /** @internal A process or a queued message took this point; it moves when that is posted. */
  claim(): void {
    this.#claimed = true;
  }

  #closedError(): PipeEndpointError {
    return new PipeEndpointError(this.#gone !== null
      ? `recv(): this pipe ${this.role} cannot be used here: ${this.#gone}`
      : 'recv(): the other end of the pipe closed (or its worker ended) and nothing is left to read');
  }

  #attach(port: MessagePort): void {
    this.#port = port;
    ownPort(port, this);
    // Node fires 'close' when the other end goes away, a terminated worker included (Chromium does not:
    // a supervisor reports its worker's points instead, see pointsEnded).
    port.addEventListener('close', () => {
      if (this.#port === port) this.#peerGone();
    });
    if (this.#started) this.#listen(port);
  }

  /**
   * Take messages off `port` into the inbox. Not before the first `recv()`: a point that has not read
   * here leaves what was sent to it in its port, which carries it along when the point moves.
   */
  #listen(port: MessagePort): void {
    this.#started = true;
    if (listening.has(port)) return;
    listening.add(port);
    port.onmessage = (event: MessageEvent) => {
      const message: unknown = event.data;
      if (isNote(message)) {
        if ((message as { sk: string }).sk === ('pipe-close' satisfies PipeNote['sk'])) this.#onPeerClosed();
        return;
      }
      receiveMail(this.#inbox, message);
    };
    if (this.#waiting === 0) (port as RefCounted).unref?.();
  }

  /** The peer ended without a close note: take what it sent (still in the port), then report it closed. */
  #peerGone(): void {
    const port = this.#port;
    if (port === null || this.#peerClosed) return;
    this.#listen(port);
    const timer = setTimeout(() => {
      if (this.#port === port) this.#onPeerClosed();
    }, DRAIN_MS);
    (timer as { unref?(): void }).unref?.();
  }

  #detach(): void {
    const port = this.#port;
    this.#port = null;
    if (port === null) return;
    port.onmessage = null;
    port.close();
  }

  #onPeerClosed(): void {
    if (this.#peerClosed) return;
    this.#peerClosed = true;
    this.#inbox.close();
  }

  /** Keep a Node process alive while a `recv()` waits, and only then. */
  #hold(delta: number): void {
    const before = this.#waiting;
    this.#waiting += delta;
    const port = this.#port as (MessagePort & RefCounted) | null;
    if (before === 0 && this.#waiting > 0) port?.ref?.();
    else if (before > 0 && this.#waiting === 0) port?.unref?.();
  }

  /** @internal A fresh channel between this (moved) point and its anchor, for a replacement worker. */
  repair(): PointState {
    const anchor = anchors.get(this.#pairId)?.deref();
    if (anchor === undefined || anchor.#gone !== null) {
      throw new PipeEndpointError('a pipe point cannot follow its process into a replacement worker: its anchor is not in this thread or was closed');
    }
    const channel = new MessageChannel();
    anchor.#rewire(channel.port1);
    this.#port = channel.port2;
    this.#gone = null;
    ownPort(channel.port2, this);
    return { port: channel.port2, oneWay: this.oneWay, pairId: this.#pairId };
  }

  /** The anchor's end after a re-pair; what the dead worker sent is still read from the old port for a moment. */
  #rewire(port: MessagePort): void {
    const old = this.#port;
    const waiting = this.#waiting;
    this.#hold(-waiting);
    if (old !== null) {
      if (this.#started) this.#listen(old);
      setTimeout(() => {
        old.onmessage = null;
        old.close();
      }, DRAIN_MS);
    }
    this.#peerClosed = false;
    this.#inbox.reopen();
    this.#attach(port);
    this.#hold(waiting);
  }
}

/** The points among `transfer`'s ports now belong to a process or a queued message. */
export function claimPoints(transfer: readonly Transferable[]): void {
  for (const point of endpointsOf(transfer)) point.claim();
}

/**
 * Give every Pipe point in `envelope` (a process's state, whose points moved into a worker that
 * died) a fresh channel to its anchor, in place; returns the new ports to transfer.
 */
export function repairPoints(envelope: SerializedValue): Transferable[] {
  const ports: Transferable[] = [];
  for (const sub of (envelope as Envelope).subs ?? []) {
    if (sub.k !== 'state' || sub.id !== PIPE_ID) continue;
    const owner = ownerOf((sub.state as PointState).port);
    if (!(owner instanceof Pipe)) throw new PipeEndpointError('a pipe point in the process state has no endpoint in this thread');
    const state = owner.repair();
    (sub as { state: unknown }).state = state;
    ports.push(state.port);
  }
  return ports;
}

/**
 * The worker that held `points` ended: their anchors in this thread stop waiting on it. (Node
 * fires 'close' on the anchor's port by itself; Chromium does not for a terminated worker.)
 */
export function pointsEnded(points: Iterable<Pipe>): void {
  for (const point of points) point.peerEnded();
}

/** The pipe endpoints that own `transfer`'s ports. */
export function endpointsOf(transfer: readonly Transferable[]): Set<Pipe> {
  const found = new Set<Pipe>();
  for (const port of transfer) {
    const owner = ownerOf(port);
    if (owner instanceof Pipe) found.add(owner);
  }
  return found;
}
