/**
 * `cucumber`, the serializer that carries a worker process's state, results,
 * errors and messages across `postMessage`.
 *
 * It is native structured clone plus one pre-walk: `serialize` validates the
 * graph and lists, in side tables next to the value, what structured clone
 * would lose (class prototypes, errors, functions by reference). The value
 * itself is not copied, except for the containers on the way to a value that
 * has to be replaced by a placeholder, and objects with an own getter (copied
 * with what it returned, so it runs once). The envelope then goes through ONE
 * structured clone (postMessage), which keeps object identity inside the
 * message, and `deserialize` fixes the received objects up in place.
 *
 * Owns `cucumber` (the clone and byte forms, codecs, iterators, what moves in a transfer list).
 * May import: errors, runtime (the registry), reconnect.
 */
import { PipeEndpointError, SerializationError } from '../errors.ts';
import { lookup, register, registrationOf } from '../runtime/registry.ts';
import { createClassifier } from './classify.ts';
import { FORMAT, VERSION, type Envelope } from './protocol.ts';
import { restore } from './restore.ts';
import { substitute } from './substitute.ts';
import { fastWalk } from './fast-walk.ts';
import { walkContext, type WalkContext } from './walk.ts';
import { registerCodec } from './codecs.ts';
export { registerCodec, type Codec } from './codecs.ts';
import { fromBytes, toBytes } from './bytes.ts';
// Live resources as Reconnectors (importing it registers the built-in resource types' codecs on this
// side). Codecs registered later are asked first; the built-in ones (iterators, URL) are in the
// codec table from its start (codecs.ts), so these and an app's own come before them.
import { reconnectAll, registerReconnector } from '../reconnect/index.ts';

/**
 * What {@link serialize} returns: a structured-clonable envelope, opaque
 * apart from its format marker and version. Send it with `postMessage` (or
 * `structuredClone` it) as one message, and give what arrives to
 * {@link deserialize}.
 */
export interface SerializedValue {
  /** Format marker, checked by {@link deserialize}. */
  readonly format: 'suitkaise/cucumber';
  /** Envelope version, checked by {@link deserialize}. */
  readonly version: 1;
}

/** Options of {@link serialize}. */
export interface SerializeOptions {
  /**
   * Send instances of classes that are not registered as plain objects of
   * their own enumerable fields, instead of throwing.
   * @default false
   */
  lossy?: boolean;
  /**
   * Return the byte form, a `Uint8Array` (for shared memory, files, sockets) instead
   * of the structured-clone envelope. Carries the same values, except that a
   * `SharedArrayBuffer`, detached `ArrayBuffer`, `Blob`, `File` or other host object
   * raises a SerializationError, as does, for a value that holds functions, symbols,
   * errors, `toState` instances or Map subclasses, nesting deeper than a reader's
   * stack may hold (several hundred levels); own non-index properties of arrays are dropped.
   * @default false
   */
  bytes?: boolean;
}

/** A class, or a function sent by reference. */
export type Registrable = (abstract new (...args: never[]) => unknown) | ((...args: never[]) => unknown);

/**
 * Turn `value` into an envelope that crosses `postMessage` (synchronously).
 *
 * Carries everything structured clone does untouched (primitives including
 * BigInt, `-0`, `undefined`, `NaN`; plain and null-prototype objects; arrays,
 * sparse too; Date, RegExp, Map, Set, ArrayBuffer, SharedArrayBuffer, typed
 * arrays, DataView, Blob, boxed primitives), plus:
 * - instances of registered classes, with their prototype (methods, getters)
 *   restored and their constructor not re-run;
 * - registered classes with `toState()` and `static fromState(state)`, rebuilt
 *   with `fromState` (for state kept in `#private` fields);
 * - `Error` and subclasses with name, message, stack, `cause` and own
 *   properties; unregistered subclasses come back as the nearest built-in
 *   class with their `name`;
 * - registered functions, by reference; `Symbol.for` symbols; well-known
 *   symbols (`Symbol.iterator`…) and `Object.prototype`, as the receiver's own;
 * - `URL` and `URLSearchParams`;
 * - frozen, sealed and non-extensible objects, arrays, Maps and Sets, which
 *   arrive so;
 * - cycles and shared references;
 * - iterators and generators, as an iterator over their remaining values
 *   (sending drains the original).
 *
 * Each own property of an object is read once (a getter runs once). Own
 * properties of arrays other than their indices are carried by structured
 * clone but not walked, so they must hold plain data. Refused, with their path, as `postMessage` would
 * refuse them: a detached ArrayBuffer or a view over one, a typed array or
 * DataView out of bounds of its shrunk resizable buffer, nesting deeper than
 * structured clone recurses (about a thousand objects; the byte form carries
 * any depth) and, where the host can tell one (Node), a Proxy (the byte form
 * reads through it).
 *
 * With `{ bytes: true }` it returns the byte form instead: a fresh
 * `Uint8Array` (header, then msgpackr) that {@link deserialize} also reads.
 *
 * @throws SerializationError naming the path (`root.handlers[2]`) of the
 * first value that cannot be sent, and what to do about it.
 */
export function serialize(value: unknown, options: SerializeOptions & { bytes: true }): Uint8Array;
export function serialize(value: unknown, options?: SerializeOptions & { bytes?: false }): SerializedValue;
export function serialize(value: unknown, options?: SerializeOptions): Uint8Array | SerializedValue;
export function serialize(value: unknown, options: SerializeOptions = {}): Uint8Array | SerializedValue {
  const bytes = options.bytes === true;
  const ctx = walkContext(value, createClassifier(options.lossy === true, bytes), bytes);
  return bytes ? toBytes(ctx, serializeWith) : serializeWith(ctx);
}

function serializeWith(ctx: WalkContext): Envelope {
  try {
    const found = fastWalk(ctx);
    let envelope: { -readonly [K in keyof Envelope]: Envelope[K] };
    if (found === null) envelope = substitute(ctx);
    else {
      envelope = { format: FORMAT, version: VERSION, root: ctx.root };
      if (found.instances.length > 0) {
        envelope.classes = found.classes;
        envelope.instances = found.instances;
      }
    }
    if (ctx.lastIndex.length > 0) envelope.lastIndex = ctx.lastIndex;
    if (ctx.integrity.length > 0) envelope.integrity = ctx.integrity;
    if (ctx.transfer.size > 0) transfers.set(envelope, [...ctx.transfer] as Transferable[]);
    return envelope;
  } catch (error) {
    if (error instanceof SerializationError || error instanceof PipeEndpointError) throw error;
    throw new SerializationError('reading the value threw', 'root', error);
  }
}

const transfers = new WeakMap<object, Transferable[]>();

/**
 * Whether structured clone carries `value` exactly as it is, with nothing for cucumber to do: a
 * primitive other than a symbol. Tells, pipe sends and pool items send such values without an envelope.
 */
export function isPlainPrimitive(value: unknown): value is string | number | boolean | bigint | null | undefined {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/**
 * The transfer list for a value posted by hand: what must go in `postMessage`'s transfer list with
 * `serialized` (what {@link serialize} returned), the MessagePorts in the value (Pipe points among
 * them). Post them together (`port.postMessage(serialized, cucumber.transferablesOf(serialized))`,
 * `Comlink.transfer(serialized, ...)`); the ports are unusable on this side afterwards.
 *
 * Empty for most values, and always for the byte form, which holds no ports (posting copies its
 * bytes; transfer `bytes.buffer` yourself to move them instead), and for anything `serialize` did
 * not return on this side. A fresh array each call.
 */
export function transferablesOf(serialized: SerializedValue | Uint8Array): Transferable[] {
  const ports = transfers.get(serialized);
  return ports === undefined ? [] : [...ports];
}

/**
 * Rebuild a value from what {@link serialize} produced, after it went through
 * one structured clone (`postMessage`), or from its byte form (a `Uint8Array`).
 * The received objects are fixed up in place, so deserialize each received
 * envelope once.
 *
 * Accepts only envelopes `serialize` produced: checks the format marker and
 * version and the shape of every side table. Never evaluates code, never
 * instantiates a class that is not registered here, never writes
 * `__proto__`, `constructor` or `prototype` keys onto objects.
 *
 * @throws SerializationError on anything else, or on an id not registered here.
 */
export function deserialize(data: unknown): unknown {
  try {
    const bytes = ArrayBuffer.isView(data) && (data as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Uint8Array';
    return restore(bytes ? fromBytes(data as Uint8Array) : data);
  } catch (error) {
    if (error instanceof SerializationError) throw error;
    throw new SerializationError('cannot deserialize: the envelope is malformed', 'envelope', error);
  }
}

/**
 * Register a class (or a function to send by reference) with the serializer,
 * on both sides of a worker boundary. `@sk()` does this for you.
 *
 * @param cls - the class or function.
 * @param id - a stable id, the same on both sides. Without one, a class
 * already registered keeps its id, and otherwise `cls.name` is used; that
 * throws if another class already holds that id (pass an explicit id then).
 * An explicit id replaces whatever held it, as hot reload does.
 * @returns `cls`, so it can wrap a class expression.
 * @throws TypeError when `cls` is not a function, or no unambiguous id can be given.
 */
export function registerClass<T extends Registrable>(cls: T, id?: string): T {
  if (typeof cls !== 'function') {
    throw new TypeError(`cucumber.register(cls, id?): cls must be a class or function, got ${cls === null ? 'null' : typeof cls}`);
  }
  const existing = registrationOf(cls);
  if (id !== undefined) {
    if (typeof id !== 'string' || id === '') throw new TypeError('cucumber.register(cls, id?): id must be a non-empty string');
    if (existing?.id === id && lookup(id) === cls) return cls;
    return register(cls, { ...existing, id });
  }
  if (existing !== undefined) return cls;
  const name = cls.name;
  if (!name) throw new TypeError('cucumber.register(cls, id?): an anonymous class needs an explicit id');
  const holder = lookup(name);
  if (holder !== undefined && holder !== cls) {
    throw new TypeError(
      `cucumber.register(${name}): the id '${name}' is already taken by a different class; ` +
        `pass an explicit id, e.g. cucumber.register(${name}, 'my-module#${name}')`,
    );
  }
  return register(cls, { id: name });
}

/**
 * The serializer that carries values across worker boundaries: native
 * structured clone plus the class, error and function handling it lacks.
 *
 * Errors keep their `name`, `message`, `stack`, `cause` and own properties. A
 * registered error class (`@sk()` or `cucumber.register`) comes back as itself;
 * an unregistered `Error` subclass comes back as the nearest built-in class
 * (`Error`, `TypeError`, …) with its `name` kept, so `instanceof` it is false.
 *
 * ```ts
 * cucumber.register(Point, 'geometry#Point');
 * worker.postMessage(cucumber.serialize({ origin: new Point(0, 0) }));
 * // in the worker
 * const value = cucumber.deserialize(event.data); // value.origin instanceof Point
 * ```
 */
export const cucumber: {
  /** {@inheritDoc serialize} */
  readonly serialize: typeof serialize;
  /** {@inheritDoc deserialize} */
  readonly deserialize: typeof deserialize;
  /** {@inheritDoc registerClass} */
  readonly register: typeof registerClass;
  /** {@inheritDoc registerCodec} */
  readonly registerCodec: typeof registerCodec;
  /** {@inheritDoc reconnectAll} */
  readonly reconnectAll: typeof reconnectAll;
  /** {@inheritDoc registerReconnector} */
  readonly registerReconnector: typeof registerReconnector;
  /** {@inheritDoc transferablesOf} */
  readonly transferablesOf: typeof transferablesOf;
} = Object.freeze({ serialize, deserialize, register: registerClass, registerCodec, reconnectAll, registerReconnector, transferablesOf });
