/**
 * What the serializer does with each kind of value: how to walk it, whether
 * it is a registered class instance, whether it must be substituted, or why it
 * cannot be sent. Decided once per prototype per `serialize` call.
 */
import { registrationOf } from '../runtime/registry.ts';
import { nullProtoBrand } from './brands.ts';
import { codecFor, type Codec } from './codecs.ts';

/** Own enumerable string-keyed properties (plain objects, class instances). */
export const OBJECT = 0;
/** Array elements by index. */
export const ARRAY = 1;
/** Map keys and values. */
export const MAP = 2;
/** Set members. */
export const SET = 3;
/** Structured clone carries it as is and it holds nothing to walk (Date, typed arrays, Blob…). */
export const LEAF = 4;
/** An `Error`: substituted by an `ErrorRecord`. */
export const ERROR = 5;
/** A registered class with `toState()` / `static fromState()`: substituted by a `StateRecord`. */
export const STATE = 6;
/** Cannot be sent; `reason` says why and what to do. */
export const UNSENDABLE = 7;

/** How a value is walked. */
export type Walk = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** The decision for one prototype. */
export interface Info {
  readonly walk: Walk;
  /** Registered class id of the exact class (instances, STATE, registered errors). */
  readonly id?: string;
  /** For UNSENDABLE: what it is and what to do. */
  readonly reason?: string;
  /** A null-prototype object (structured clone would give it Object.prototype). */
  readonly nullProto?: boolean;
  /** For STATE through a codec (a class not registered): the codec; `id` is then the codec's id. */
  readonly codec?: Codec;
  /**
   * For LEAF: what the walk notes beside it. `'regexp'`: its `lastIndex`, which structured clone
   * drops; `'transfer'`: a MessagePort, which crosses in the message's transfer list.
   */
  readonly special?: 'regexp' | 'transfer';
}

/** Classifies an object (never a function or primitive). */
export type Classify = (obj: object) => Info;

/** Arrays longer than this are walked by their own keys, so a huge sparse array costs its entries, not its length. */
export const DENSE_LIMIT = 1 << 24;

const PLAIN: Info = { walk: OBJECT };
const NULL_PROTO: Info = { walk: OBJECT, nullProto: true };
const ARRAY_INFO: Info = { walk: ARRAY };
const MAP_INFO: Info = { walk: MAP };
const SET_INFO: Info = { walk: SET };
const LEAF_INFO: Info = { walk: LEAF };
const ERROR_INFO: Info = { walk: ERROR };
const REGEXP_INFO: Info = { walk: LEAF, special: 'regexp' };
const TRANSFER_INFO: Info = { walk: LEAF, special: 'transfer' };
/** Null-prototype objects by what their slots make them (see `nullProtoBrand`): structured clone keeps the data. */
const NULL_PROTO_INFO: Record<ReturnType<typeof nullProtoBrand>, Info> = {
  object: NULL_PROTO,
  array: { walk: ARRAY, nullProto: true },
  map: { walk: MAP, nullProto: true },
  set: { walk: SET, nullProto: true },
  regexp: { walk: LEAF, nullProto: true, special: 'regexp' },
  leaf: { walk: LEAF, nullProto: true },
};

type Ctor = abstract new (...args: never[]) => unknown;
const globals = globalThis as Record<string, unknown>;
function globalClass(name: string): Ctor | undefined {
  const value = globals[name];
  return typeof value === 'function' ? (value as Ctor) : undefined;
}

/** Language built-ins structured clone carries natively and which hold nothing to walk. */
const leafClasses: Ctor[] = ['Date', 'RegExp', 'ArrayBuffer', 'SharedArrayBuffer', 'Boolean', 'Number', 'String', 'BigInt']
  .flatMap((name) => globalClass(name) ?? []);
const leafPrototypes = new Set<unknown>(leafClasses.map((cls) => cls.prototype));

/**
 * Host (web platform) classes structured clone carries natively. Looked up only when an object is
 * not otherwise known: touching some of these globals is costly (Node loads its web-crypto code for
 * `CryptoKey`), and a fresh worker should not pay that before it has seen one.
 */
const hostLeafNames = [
  'Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMPoint', 'DOMPointReadOnly',
  'DOMRect', 'DOMRectReadOnly', 'DOMQuad', 'DOMMatrix', 'DOMMatrixReadOnly',
];
let hostLeafClasses: Ctor[] | null = null;
function isHostLeaf(obj: object): boolean {
  hostLeafClasses ??= hostLeafNames.flatMap((name) => globalClass(name) ?? []);
  for (const cls of hostLeafClasses) if (obj instanceof cls) return true;
  return false;
}

/** Transferred rather than copied: it moves to the receiver and is unusable here afterwards. */
const messagePort = globalClass('MessagePort');

/** Built-ins structured clone refuses, with what to do instead. */
const refused: Array<[string, string]> = [
  ['Promise', 'a Promise cannot be sent: await it and send the settled value'],
  ['WeakMap', 'a WeakMap cannot be sent (its entries cannot be enumerated): use a Map'],
  ['WeakSet', 'a WeakSet cannot be sent (its members cannot be enumerated): use a Set'],
  ['WeakRef', 'a WeakRef cannot be sent: send its target (ref.deref()) instead'],
  ['FinalizationRegistry', 'a FinalizationRegistry cannot be sent: create it on the side that uses it'],
  ['Node', 'a DOM node cannot be sent (it belongs to its document, on this thread): send the data it shows ' +
    '(textContent, attribute values) and rebuild the node on the other side'],
];
const refusedClasses = refused.flatMap(([name, reason]): Array<[Ctor, string]> => {
  const cls = globalClass(name);
  return cls ? [[cls, reason]] : [];
});

/** %AsyncIteratorPrototype%: async generators and the platform's async iterators have it on their chain. */
const asyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((async function* () {}).prototype)) as object;

function refusal(obj: object, proto: object | null): string | undefined {
  if (proto === Symbol.prototype) return 'a Symbol wrapper object cannot be sent: send a Symbol.for() symbol or a string';
  if (Object.prototype.isPrototypeOf.call(asyncIteratorPrototype, obj)) {
    return 'an async generator or async iterator cannot be sent (its values arrive asynchronously): ' +
      'await-collect it first (const values = []; for await (const v of it) values.push(v)) and send the array';
  }
  for (const [cls, reason] of refusedClasses) if (obj instanceof cls) return reason;
  return undefined;
}

function isLeafLike(obj: object): boolean {
  if (ArrayBuffer.isView(obj)) return true;
  for (const cls of leafClasses) if (obj instanceof cls) return true;
  return isHostLeaf(obj);
}

/** How to walk an object whatever its class: what structured clone would see in it. */
function structureOf(obj: object): Walk {
  if (Array.isArray(obj)) return ARRAY;
  if (obj instanceof Map) return MAP;
  if (obj instanceof Set) return SET;
  return isLeafLike(obj) ? LEAF : OBJECT;
}

/** How to walk an object of a class that is registered (`id`) or sent lossily (no `id`). */
function structured(obj: object, id: string | undefined): Info {
  const walk = structureOf(obj);
  if (walk === LEAF && obj instanceof RegExp) return id === undefined ? REGEXP_INFO : { walk, id, special: 'regexp' };
  return id === undefined ? { walk } : { walk, id };
}

/** The class an object's prototype belongs to (its own `constructor`), if any. */
export function ownConstructor(proto: object | null): unknown {
  if (proto === null) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'constructor');
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

function hasStateHook(obj: object, cls: unknown): boolean {
  return (
    typeof (obj as { toState?: unknown }).toState === 'function' &&
    typeof (cls as { fromState?: unknown }).fromState === 'function'
  );
}

function describeClass(cls: unknown): string {
  const name = typeof cls === 'function' ? cls.name : '';
  return name ? `class '${name}'` : 'an anonymous class';
}

function unregistered(cls: unknown): string {
  if (typeof cls !== 'function') {
    return 'an object with a custom prototype cannot be sent: give it a registered class ' +
      '(@sk() or cucumber.register(Class)), or pass { lossy: true } to send it as a plain object';
  }
  const name = cls.name || 'Class';
  return `an instance of ${describeClass(cls)}, which is not registered, cannot be sent: register the class ` +
    `with @sk() or cucumber.register(${name}), or pass { lossy: true } to send it as a plain object`;
}

function classifyProto(obj: object, proto: object | null, lossy: boolean): Info {
  if (proto === Map.prototype) return MAP_INFO;
  if (proto === Set.prototype) return SET_INFO;
  if (leafPrototypes.has(proto) || ArrayBuffer.isView(obj)) {
    const id = registrationOf(ownConstructor(proto))?.id;
    if (obj instanceof RegExp) return id === undefined ? REGEXP_INFO : { walk: LEAF, id, special: 'regexp' };
    return id === undefined ? LEAF_INFO : { walk: LEAF, id };
  }
  const reason = refusal(obj, proto);
  if (reason !== undefined) return { walk: UNSENDABLE, reason };
  const cls = ownConstructor(proto);
  const id = registrationOf(cls)?.id;
  if (id === undefined && isHostLeaf(obj)) return LEAF_INFO;
  if (id === undefined && messagePort !== undefined && obj instanceof messagePort) return TRANSFER_INFO;
  if (id !== undefined) {
    if (hasStateHook(obj, cls)) return { walk: STATE, id };
    if (obj instanceof Error) return { walk: ERROR, id };
    return structured(obj, id);
  }
  if (obj instanceof Error) return ERROR_INFO;
  const coded = codecFor(obj);
  if (coded) return { walk: STATE, id: coded.id, codec: coded.codec };
  // Plain objects and arrays from another realm (an iframe, a vm context).
  if (typeof cls === 'function' && proto !== null && Object.getPrototypeOf(proto) === null && cls.name === 'Object') {
    return PLAIN;
  }
  if (Array.isArray(obj) && typeof cls === 'function' && cls.name === 'Array') return ARRAY_INFO;
  if (lossy) return structured(obj, undefined);
  return { walk: UNSENDABLE, reason: unregistered(cls) };
}

/** A classifier with its own per-prototype cache (registrations may change between calls). */
export function createClassifier(lossy: boolean): Classify {
  // Being a view or an array is decided by the object's slots, not its prototype: one without them
  // (Object.create(Uint8Array.prototype)) must not decide for the real instances of its class.
  const caches = [new Map<object, Info>(), new Map<object, Info>(), new Map<object, Info>()] as const;
  return (obj) => {
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Object.prototype) return PLAIN;
    if (proto === Array.prototype) return ARRAY_INFO;
    if (proto === null) return NULL_PROTO_INFO[nullProtoBrand(obj)];
    const cache = caches[ArrayBuffer.isView(obj) ? 1 : Array.isArray(obj) ? 2 : 0];
    let info = cache.get(proto);
    if (info === undefined) {
      info = classifyProto(obj, proto, lossy);
      cache.set(proto, info);
    }
    return info;
  };
}

/**
 * The `lastIndex` a RegExp carries beside it: a positive integer, else 0. Structured clone resets
 * it; anything that is not an index (-1, 1.5, NaN, a string) is dropped as 0 would be.
 */
export function carriedLastIndex(re: object): number {
  const index = (re as RegExp).lastIndex;
  return typeof index === 'number' && Number.isInteger(index) && index > 0 ? index : 0;
}

/** Why a function that is not registered cannot be sent. */
export function functionReason(fn: (...args: never[]) => unknown): string {
  let source = '';
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    // Some host functions refuse toString; they are not classes.
  }
  if (/^class[\s{]/.test(source)) {
    return `${describeClass(fn)} cannot be sent by reference because it is not registered: ` +
      `register it with @sk() or cucumber.register(${fn.name || 'Class'})`;
  }
  const what = fn.name ? `function '${fn.name}'` : 'an anonymous function';
  return `${what} cannot be sent (functions and closures are not serializable): ` +
    'export it and wrap it with sk(), or remove it from the object';
}

/** Why a symbol that is not a `Symbol.for` symbol cannot be sent. */
export function symbolReason(symbol: symbol): string {
  const description = symbol.description ?? '';
  return `${String(symbol)} cannot be sent: only Symbol.for() symbols cross a worker boundary; ` +
    `use Symbol.for(${JSON.stringify(description)}) or remove it`;
}

/** Keys the receiver never writes onto an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const identifier = /^[A-Za-z_$][\w$]*$/;

/** `.name` or `["odd key"]`, as a path segment. */
export function keyLabel(key: string): string {
  return identifier.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
