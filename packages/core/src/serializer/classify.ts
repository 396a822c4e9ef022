/**
 * What the serializer does with each kind of value: how to walk it, whether
 * it is a registered class instance, whether it must be substituted, or why it
 * cannot be sent. Decided once per prototype per `serialize` call (the node
 * kinds are those of kinds.ts, which the byte form uses too).
 */
import { registrationOf } from '../runtime/registry.ts';
import { nullProtoKind } from './brands.ts';
import { codecFor, type Codec } from './codecs.ts';
import { intrinsicName } from './intrinsics.ts';
import {
  ARRAY, ARRAY_BUFFER, BOXED, DATE, ERROR, HOST, INTRINSIC, MAP, OBJECT, PORT, REGEXP, SET, SHARED_BUFFER, STATE,
  UNSENDABLE, VIEW, isClonedAsIs, type Kind,
} from './kinds.ts';

/** The decision for one prototype. */
export interface Info {
  /** What the node is, and so how it is walked (kinds.ts). */
  readonly kind: Kind;
  /** Registered class id of the exact class (instances, STATE, registered errors). */
  readonly id?: string;
  /** For UNSENDABLE: what it is and what to do. */
  readonly reason?: string;
  /** A null-prototype object (structured clone would give it Object.prototype). */
  readonly nullProto?: boolean;
  /** For STATE through a codec (a class not registered): the codec; `id` is then the codec's id. */
  readonly codec?: Codec;
}

/** Classifies an object (never a function or primitive). */
export type Classify = (obj: object) => Info;

/** Arrays longer than this are walked by their own keys, so a huge sparse array costs its entries, not its length. */
export const DENSE_LIMIT = 1 << 24;

/** One Info per kind, for unregistered objects with a prototype (they carry nothing else). */
const PLAIN_INFO = Array.from({ length: UNSENDABLE + 1 }, (_, kind): Info => ({ kind: kind as Kind }));
/** The same, for null-prototype objects (see `nullProtoKind`): structured clone keeps the data. */
const NULL_PROTO_INFO = Array.from({ length: UNSENDABLE + 1 }, (_, kind): Info => ({ kind: kind as Kind, nullProto: true }));
const PLAIN = PLAIN_INFO[OBJECT]!;
const ARRAY_INFO = PLAIN_INFO[ARRAY]!;
const INTRINSIC_INFO = PLAIN_INFO[INTRINSIC]!;

type Ctor = abstract new (...args: never[]) => unknown;
const globals = globalThis as Record<string, unknown>;
function globalClass(name: string): Ctor | undefined {
  const value = globals[name];
  return typeof value === 'function' ? (value as Ctor) : undefined;
}

/** Prototypes of the language built-ins structured clone carries natively and which hold nothing to walk. */
const leafPrototypes = new Set<unknown>(['Date', 'RegExp', 'ArrayBuffer', 'SharedArrayBuffer', 'Boolean', 'Number', 'String', 'BigInt']
  .flatMap((name) => globalClass(name)?.prototype ?? []));

/**
 * Host (web platform) classes structured clone carries natively. Looked up only when an object is
 * not otherwise known: touching some of these globals is costly (Node loads its web-crypto code for
 * `CryptoKey`), and a fresh worker should not pay that before it has seen one.
 */
export const HOST_CLASS_NAMES: readonly string[] = [
  'Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMPoint', 'DOMPointReadOnly',
  'DOMRect', 'DOMRectReadOnly', 'DOMQuad', 'DOMMatrix', 'DOMMatrixReadOnly',
];
let hostClasses: Ctor[] | null = null;

/** The host class `obj` is an instance of (see {@link HOST_CLASS_NAMES}), if any. */
export function hostClassOf(obj: object): Ctor | undefined {
  hostClasses ??= HOST_CLASS_NAMES.flatMap((name) => globalClass(name) ?? []);
  for (const cls of hostClasses) if (obj instanceof cls) return cls;
  return undefined;
}

/** Transferred rather than copied: it moves to the receiver and is unusable here afterwards. */
const messagePort = globalClass('MessagePort');
const sharedArrayBuffer = globalClass('SharedArrayBuffer');

/**
 * What an object with a prototype is, from its class (as structured clone would see it): a
 * container, one of the built-ins it copies as they are, a MessagePort, or else OBJECT (its own
 * properties). Decided once per prototype by the callers, except what the slots decide (views, arrays).
 */
export function structureOf(obj: object): Kind {
  if (ArrayBuffer.isView(obj)) return VIEW;
  if (Array.isArray(obj)) return ARRAY;
  if (obj instanceof Map) return MAP;
  if (obj instanceof Set) return SET;
  if (obj instanceof Date) return DATE;
  if (obj instanceof RegExp) return REGEXP;
  if (obj instanceof ArrayBuffer) return ARRAY_BUFFER;
  if (sharedArrayBuffer !== undefined && obj instanceof sharedArrayBuffer) return SHARED_BUFFER;
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean || obj instanceof BigInt) return BOXED;
  if (messagePort !== undefined && obj instanceof messagePort) return PORT;
  return hostClassOf(obj) !== undefined ? HOST : OBJECT;
}

const structures = new WeakMap<object, Kind>();

/**
 * What any object is, by its slots and class alone (no registration, no refusal): the node kind
 * the byte form writes it as, and the one `reconnectAll` walks it as. Decided once per prototype,
 * except what the object's own slots decide (a view, an array, anything with a null prototype): an
 * object without them must not decide for the real instances of its class.
 */
export function structuralKind(obj: object): Kind {
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === Object.prototype) return OBJECT;
  if (proto === Array.prototype) return ARRAY;
  if (proto === Date.prototype) return DATE;
  if (proto === Map.prototype) return MAP;
  if (proto === Set.prototype) return SET;
  if (ArrayBuffer.isView(obj)) return VIEW;
  if (Array.isArray(obj)) return ARRAY;
  if (proto === null) return nullProtoKind(obj);
  let kind = structures.get(proto);
  if (kind === undefined) structures.set(proto, (kind = structureOf(obj)));
  return kind;
}

/**
 * Node's own test for a Proxy (structured clone refuses one, and nothing in the language tells a
 * Proxy from its target); undefined where the host has none (browsers).
 */
const isProxy = ((globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.('node:util') as
  { types?: { isProxy?: (value: unknown) => boolean } } | undefined)?.types?.isProxy;

/** Why the structured-clone form refuses a Proxy. */
export const PROXY_REASON = 'a Proxy cannot be sent in the structured-clone form (postMessage refuses proxies): send its ' +
  'target, or a plain copy ({ ...value }, [...value]), or use the byte form ({ bytes: true }), which reads through it';
const PROXY_INFO: Info = { kind: UNSENDABLE, reason: PROXY_REASON };

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

/** How to walk an object of a class that is registered (`id`) or sent lossily (no `id`). */
function structured(obj: object, id: string | undefined): Info {
  const kind = structureOf(obj);
  return id === undefined ? PLAIN_INFO[kind]! : { kind, id };
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
  if (proto === Map.prototype) return PLAIN_INFO[MAP]!;
  if (proto === Set.prototype) return PLAIN_INFO[SET]!;
  if (leafPrototypes.has(proto) || ArrayBuffer.isView(obj)) return structured(obj, registrationOf(ownConstructor(proto))?.id);
  const reason = refusal(obj, proto);
  if (reason !== undefined) return { kind: UNSENDABLE, reason };
  const cls = ownConstructor(proto);
  const id = registrationOf(cls)?.id;
  if (id !== undefined) {
    if (hasStateHook(obj, cls)) return { kind: STATE, id };
    if (obj instanceof Error) return { kind: ERROR, id };
    return structured(obj, id);
  }
  const kind = structureOf(obj);
  if (kind === HOST || kind === PORT) return PLAIN_INFO[kind]!;
  if (obj instanceof Error) return PLAIN_INFO[ERROR]!;
  const coded = codecFor(obj);
  if (coded) return { kind: STATE, id: coded.id, codec: coded.codec };
  // Plain objects and arrays from another realm (an iframe, a vm context).
  if (typeof cls === 'function' && proto !== null && Object.getPrototypeOf(proto) === null && cls.name === 'Object') {
    return PLAIN;
  }
  if (Array.isArray(obj) && typeof cls === 'function' && cls.name === 'Array') return ARRAY_INFO;
  if (lossy) return PLAIN_INFO[kind]!;
  return { kind: UNSENDABLE, reason: unregistered(cls) };
}

/**
 * A classifier with its own per-prototype cache (registrations may change between calls).
 * @param bytes - for the byte form, which reads through a Proxy (the structured-clone form refuses one).
 */
export function createClassifier(lossy: boolean, bytes = false): Classify {
  // Being a view or an array is decided by the object's slots, not its prototype: one without them
  // (Object.create(Uint8Array.prototype)) must not decide for the real instances of its class.
  const caches = [new Map<object, Info>(), new Map<object, Info>(), new Map<object, Info>()] as const;
  const proxies = bytes ? undefined : isProxy;
  const classify = (obj: object): Info => {
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Object.prototype) return PLAIN;
    if (proto === Array.prototype) return ARRAY_INFO;
    if (proto === null) return intrinsicName(obj) === undefined ? NULL_PROTO_INFO[nullProtoKind(obj)]! : INTRINSIC_INFO;
    const cache = caches[ArrayBuffer.isView(obj) ? 1 : Array.isArray(obj) ? 2 : 0];
    let info = cache.get(proto);
    if (info === undefined) {
      info = classifyProto(obj, proto, lossy);
      cache.set(proto, info);
    }
    return info;
  };
  if (proxies === undefined) return classify;
  // A Proxy that a codec or `toState()` replaces (a Share is one) never reaches structured clone.
  return (obj) => {
    const info = classify(obj);
    return isClonedAsIs(info.kind) && proxies(obj) ? PROXY_INFO : info;
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
  return `${String(symbol)} cannot be sent: only Symbol.for() and well-known (Symbol.iterator…) symbols cross a worker boundary; ` +
    `use Symbol.for(${JSON.stringify(description)}) or remove it`;
}

/** Keys the receiver never writes onto an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const identifier = /^[A-Za-z_$][\w$]*$/;

/** `.name` or `["odd key"]`, as a path segment. */
export function keyLabel(key: string): string {
  return identifier.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
