/**
 * `Pipe`: a direct two-way (or one-way) channel between two threads, over a MessageChannel.
 * The anchor stays in the thread that made the pair; the point travels to a worker (it is
 * transferred, not copied, when a process or a message carries it). Values go through cucumber.
 */
import { PipeEndpointError } from '../errors.ts';
import { Mailbox, describeMessage, encodeMail, isBare, postValue, receiveValues } from '../process/mailbox.ts';
import type { BareValue, PipeMessage } from '../protocol.ts';
import { ownPort, type PortOwner } from '../serializer/transfer.ts';
import { registerCodec } from '../serializer/index.ts';

/** The id a point's state travels under in cucumber (its codec's; builtins.ts names built-in classes `suitkaise:<name>` alike). */
export const PIPE_ID = 'suitkaise:Pipe';

/** Options of {@link Pipe.pair}. */
export interface PipePairOptions {
  /** The anchor only sends and the point only receives. @default false */
  oneWay?: boolean;
}

/** Which end of a pair an endpoint is. */
export type PipeRole = 'anchor' | 'point';

/** What a point carries across a worker boundary (its port is in the transfer list). */
export interface PointState {
  readonly port: MessagePort;
  readonly oneWay: boolean;
  readonly pairId: string;
}

/** Node's MessagePort can be unref'd, so an idle pipe does not keep the process alive. */
type RefCounted = { ref?(): void; unref?(): void };

/** What the next `new Pipe()` is made from: set only by {@link endpoint}, for the one it constructs. */
interface EndpointSeed {
  readonly role: PipeRole;
  readonly oneWay: boolean;
  readonly pairId: string;
}
let seed: EndpointSeed | null = null;

/** The seed of the endpoint being constructed; there is none for a `new Pipe()` from outside this module. */
function seedOf(): EndpointSeed {
  if (seed === null) throw new TypeError('new Pipe() is not public: make a pair with Pipe.pair()');
  return seed;
}

/** A new endpoint on `port`. */
function endpoint(role: PipeRole, port: MessagePort, oneWay: boolean, pairId: string): Pipe {
  seed = { role, oneWay, pairId };
  let pipe: Pipe;
  try {
    pipe = new Pipe();
  } finally {
    seed = null;
  }
  internals.attach(pipe, port);
  return pipe;
}

/** What a `recv()` that got no message gets from the inbox. */
const NOTHING: unique symbol = Symbol('nothing arrived');

/**
 * What this module does with an endpoint beyond its public members, given by Pipe's static block
 * (which can reach its private state), so that none of it is on Pipe's published type.
 */
export interface EndpointInternals {
  /** Start using `port` (a new endpoint's, or a re-paired one's). */
  attach(pipe: Pipe, port: MessagePort): void;
  /** What a point carries to the other side (its port is transferred). */
  pointState(pipe: Pipe): PointState;
  /** A point that arrived here. */
  arrived(state: unknown): Pipe;
  /** A process or a queued message took this point; it moves when that is posted. */
  claim(pipe: Pipe): void;
  /** This point's worker ended: its anchor, if in this thread, takes what it sent, then sees it closed. */
  peerEnded(pipe: Pipe): void;
  /** `port` went into a message's transfer list: if it is this endpoint's, the endpoint now lives elsewhere. */
  moved(pipe: Pipe, port: object): void;
  /** A fresh channel between this (moved) point and its anchor, for a replacement worker. */
  repair(pipe: Pipe): PointState;
}
let internals!: EndpointInternals;

/** For points.ts: what the rest of suitkaise does with endpoints, by way of this module. */
export function endpointInternals(): EndpointInternals {
  return internals;
}

/** The serializer's record of who holds a port: told when the port moves away. */
export class PortHolder implements PortOwner {
  constructor(readonly pipe: Pipe) {}
  markMoved(port: object): void {
    internals.moved(this.pipe, port);
  }
}

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
  // No constructor of its own: the fields are made from the seed endpoint() leaves, and a
  // `new Pipe()` from anywhere else finds none and throws.
  /** `'anchor'`: stays where the pair was made, always locked. `'point'`: may move to a worker. */
  readonly role: PipeRole = seedOf().role;
  /** Whether the pair is one-way: the anchor only sends, the point only receives. */
  readonly oneWay: boolean = seedOf().oneWay;
  readonly #pairId: string = seedOf().pairId;
  #port: MessagePort | null = null;
  #locked = this.role === 'anchor';
  /** Why this endpoint can no longer be used here, once it cannot. */
  #gone: string | null = null;
  #peerClosed = false;
  readonly #inbox = new Mailbox<unknown>();
  #waiting = 0;
  /** Passed to a process or queued in a message: no longer this thread's to use or pass again. */
  #claimed = false;
  /** Whether `recv()` was ever called here: from then on, messages are taken off the port as they come. */
  #started = false;

  /**
   * Make a connected pair `[anchor, point]`. The anchor stays in this thread (always locked);
   * the point is unlocked and can be passed to a process or sent in a message.
   */
  static pair(options: PipePairOptions = {}): [anchor: Pipe, point: Pipe] {
    const oneWay = options.oneWay === true;
    const channel = new MessageChannel();
    const pairId = newPairId();
    const anchor = endpoint('anchor', channel.port1, oneWay, pairId);
    anchors.set(pairId, new WeakRef(anchor));
    return [anchor, endpoint('point', channel.port2, oneWay, pairId)];
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
    postValue(port, encodeMail(value));
  }

  /**
   * The next value from the other end, or `undefined` once `timeout` ms pass without one (like
   * `listen`). Without a timeout it waits as long as it takes.
   * @throws PipeEndpointError (as a rejection) when this end is closed or moved away, is
   * send-only, or the other end closed (or its worker ended) with nothing left to read.
   */
  async recv(timeout?: number): Promise<unknown> {
    const port = this.#usable('recv');
    if (this.oneWay && this.role === 'anchor') throw new PipeEndpointError('recv(): this is the anchor of a one-way pipe; it only sends');
    this.#listen(port);
    if (this.#inbox.size === 0 && this.#peerClosed) throw this.#closedError();
    this.#hold(1);
    try {
      const value = await this.#inbox.take(timeout, undefined, NOTHING);
      if (value !== NOTHING) return value;
      if (this.#inbox.size === 0 && this.isClosed) throw this.#closedError();
      return undefined;
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
      port.postMessage({ kind: 'pipe-close' } satisfies PipeMessage);
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

  #usable(what: string): MessagePort {
    if (this.#port === null || this.#gone !== null) {
      throw new PipeEndpointError(`${what}(): this pipe ${this.role} cannot be used here: ${this.#gone ?? 'it has no port'}`);
    }
    if (this.#claimed) {
      throw new PipeEndpointError(`${what}(): this pipe point was already passed to a process or put in a message; a point moves to one place`);
    }
    return this.#port;
  }

  #closedError(): PipeEndpointError {
    return new PipeEndpointError(this.#gone !== null
      ? `recv(): this pipe ${this.role} cannot be used here: ${this.#gone}`
      : 'recv(): the other end of the pipe closed (or its worker ended) and nothing is left to read');
  }

  #attach(port: MessagePort): void {
    this.#port = port;
    ownPort(port, new PortHolder(this));
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
    port.onmessage = (event: MessageEvent) => this.#receive(event.data);
    if (this.#waiting === 0) (port as RefCounted).unref?.();
  }

  /** One message from the other end; one that is not a pipe message reaches the next `recv()` as an error naming it. */
  #receive(data: unknown): void {
    if (isBare(data)) return this.#inbox.push(data);
    const message = data as Exclude<PipeMessage, BareValue>;
    switch (message.kind) {
      case 'values':
      case 'serialized':
        return receiveValues(this.#inbox, message);
      case 'pipe-close':
        return this.#onPeerClosed();
      default:
        message satisfies never; // every kind of PipeMessage has its case
        this.#inbox.pushError(new PipeEndpointError(`recv(): the pipe's port carried a message that is not a pipe message: ${describeMessage(data)}`));
    }
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

  static {
    internals = {
      attach(pipe, port) {
        pipe.#attach(port);
      },
      pointState(pipe) {
        if (pipe.role === 'anchor') {
          throw new PipeEndpointError('a pipe anchor cannot be passed to a process or sent: it stays in the thread that made the pair. Pass the point (the second of Pipe.pair())');
        }
        if (pipe.#locked) throw new PipeEndpointError('this pipe point is locked: call point.unlock() before passing it to a process or sending it');
        const port = pipe.#usable('pass');
        if (pipe.#inbox.size > 0) {
          throw new PipeEndpointError(`this pipe point has ${pipe.#inbox.size} unread message(s) here: recv() them before passing the point on`);
        }
        return { port, oneWay: pipe.oneWay, pairId: pipe.#pairId };
      },
      arrived(state) {
        const point = state as Partial<PointState> | null;
        if (typeof point !== 'object' || point === null || !(point.port instanceof MessagePort)) {
          throw new PipeEndpointError('a received pipe point has no port');
        }
        return endpoint('point', point.port, point.oneWay === true, String(point.pairId));
      },
      claim(pipe) {
        pipe.#claimed = true;
      },
      peerEnded(pipe) {
        const anchor = anchors.get(pipe.#pairId)?.deref();
        if (anchor !== undefined && anchor !== pipe) anchor.#peerGone();
      },
      moved(pipe, port) {
        if (port !== pipe.#port) return;
        pipe.#port = null;
        pipe.#gone = 'it was passed to another thread (a point moves; it is not copied)';
        pipe.#inbox.close();
      },
      repair(pipe) {
        const anchor = anchors.get(pipe.#pairId)?.deref();
        if (anchor === undefined || anchor.#gone !== null) {
          throw new PipeEndpointError('a pipe point cannot follow its process into a replacement worker: its anchor is not in this thread or was closed');
        }
        const channel = new MessageChannel();
        anchor.#rewire(channel.port1);
        pipe.#port = channel.port2;
        pipe.#gone = null;
        ownPort(channel.port2, new PortHolder(pipe));
        return { port: channel.port2, oneWay: pipe.oneWay, pairId: pipe.#pairId };
      },
    };
  }
}

/** How cucumber sends a point (a state holding its port, which is transferred) and rebuilds it on arrival. */
registerCodec<Pipe, PointState>(PIPE_ID, {
  test: (value): value is Pipe => value instanceof Pipe,
  toState: (pipe) => internals.pointState(pipe),
  fromState: (state) => internals.arrived(state),
});
