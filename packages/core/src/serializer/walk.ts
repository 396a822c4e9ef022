/**
 * Graph walks with an explicit stack (a 100k-deep chain must not overflow the
 * call stack): the fast pre-walk that validates and collects registered
 * instances, the child enumeration the slow passes share, the one graph walk
 * (`walkGraph`, also `reconnectAll`'s) and the one path finder (`locate`, for
 * both forms) that names where a bad value sits.
 *
 * All walks visit in the same order (depth-first pre-order, children in
 * natural order, an object at its first encounter), so the path finder
 * reports the same occurrence the walk that failed saw first.
 *
 * Each property is read once: an object with an own accessor is read by the
 * substitution pass, which puts a copy of what it read in the envelope (the
 * fast walks hand over before calling any getter), and the path finder reads
 * what was read then.
 */
import { SerializationError } from '../errors.ts';
import { registrationOf } from '../runtime/registry.ts';
import { isDetached, viewProblem } from './brands.ts';
import { STACK_BUDGET } from './bytes-depth.ts';
import {
  DENSE_LIMIT, FORBIDDEN_KEYS, carriedLastIndex, functionReason, keyLabel, symbolReason, type Classify,
} from './classify.ts';
import { intrinsicName } from './intrinsics.ts';
import {
  ARRAY, ARRAY_BUFFER, ERROR, INTRINSIC, MAP, OBJECT, PORT, REGEXP, SET, STATE, UNSENDABLE, VIEW, isContainer, type Kind,
} from './kinds.ts';
import { FROZEN, NOT_EXTENSIBLE, SEALED } from './protocol.ts';

const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;

/** What the walks share within one `serialize` call. */
export interface WalkContext {
  readonly root: unknown;
  readonly classify: Classify;
  /** `toState()` results, by object (filled by the substitution pass). */
  readonly states: Map<object, unknown>;
  /** Flat pairs `RegExp, lastIndex` for regexps whose `lastIndex` is not 0. */
  readonly lastIndex: unknown[];
  /** Flat pairs `object, level` for objects that are not extensible (see `Envelope.integrity`). */
  readonly integrity: unknown[];
  /** MessagePorts met in the graph: the message's transfer list. */
  readonly transfer: Set<object>;
  /** The children of objects with an own accessor, as read the one time they are read. */
  readonly read: Map<object, Kids>;
  /** What the substitution pass put in the envelope in place of an object (a copy, a placeholder) → that object. */
  readonly originals: Map<object, object>;
  /** Building the byte form, which cannot carry a MessagePort and nests as deep as it likes. */
  readonly bytes?: boolean;
}

/** A fresh context for one `serialize` call. */
export function walkContext(root: unknown, classify: Classify, bytes: boolean): WalkContext {
  return {
    root, classify, states: new Map(), lastIndex: [], integrity: [], transfer: new Set(), read: new Map(), originals: new Map(), bytes,
  };
}

/** Why a view or ArrayBuffer whose buffer was transferred away cannot be sent. */
export const DETACHED_REASON = 'a detached ArrayBuffer (transferred away) cannot be sent: it has no bytes left; ' +
  'send it before transferring it, or send a copy (buffer.slice(0))';
/** Why a view that reaches past the end of its (resizable, shrunk) ArrayBuffer cannot be sent. */
export const OUT_OF_BOUNDS_REASON = 'a typed array or DataView that is out of bounds (its resizable ArrayBuffer shrank ' +
  'below it) cannot be sent: postMessage refuses it; resize the buffer back, or send a view that fits (subarray)';

/**
 * Checks a node that is not a container and notes what it carries beside the value: a RegExp's
 * `lastIndex`, a MessagePort for the transfer list. Throws for a view or ArrayBuffer that cannot be sent.
 */
export function noteLeaf(ctx: WalkContext, leaf: object, kind: Kind): void {
  if (kind === VIEW) {
    const problem = viewProblem(leaf);
    if (problem !== undefined) throw failAt(ctx, leaf, problem === 'detached' ? DETACHED_REASON : OUT_OF_BOUNDS_REASON);
  } else if (kind === ARRAY_BUFFER) {
    if (isDetached(leaf)) throw failAt(ctx, leaf, DETACHED_REASON);
  } else if (kind === REGEXP) {
    const index = carriedLastIndex(leaf);
    if (index !== 0) ctx.lastIndex.push(leaf, index);
  } else if (kind === PORT) {
    if (ctx.bytes === true) {
      throw failAt(ctx, leaf, 'a MessagePort (a Pipe point holds one) cannot go into the byte form: it can only be ' +
        'transferred in a message; send it in the structured-clone form (cucumber.serialize without bytes)');
    }
    ctx.transfer.add(leaf);
  }
}

/** The integrity level of an object that is not extensible (see `Envelope.integrity`). */
export function integrityOf(obj: object): number {
  return Object.isFrozen(obj) ? FROZEN : Object.isSealed(obj) ? SEALED : NOT_EXTENSIBLE;
}

/**
 * How much stack the receiver's structured clone (V8's deserializer, the deeper of its two halves)
 * takes per level: measured on Node 20 as 527 bytes for an object, 313 for an array and 296 for a
 * Map or Set, rounded up; the main thread's stack is 984 KiB.
 */
export const OBJECT_CLONE_STACK = 540, ARRAY_CLONE_STACK = 320, MAP_CLONE_STACK = 300;
/**
 * The most stack a value may take to be cloned in the structured-clone form: the byte form's budget
 * (bytes-depth.ts), about 60% of a main thread's stack. About 1100 objects deep; Node 20's main
 * thread clones up to about 1900 on a fresh stack, Chromium's about 3600.
 */
export const CLONE_STACK_BUDGET = STACK_BUDGET;
/** Why the structured-clone form refuses a value nested deeper than {@link CLONE_STACK_BUDGET}. */
export const CLONE_DEEP_REASON = 'the value is nested too deeply for postMessage (structured clone recurses per level, ' +
  'about a thousand objects deep at most): send it in the byte form (serialize(value, { bytes: true })), which carries ' +
  'any depth, or flatten it';

/** The stack one level of `kind` takes in the receiver's structured clone. */
export function cloneStackOf(kind: Kind): number {
  return kind === ARRAY ? ARRAY_CLONE_STACK : kind === MAP || kind === SET ? MAP_CLONE_STACK : OBJECT_CLONE_STACK;
}

/** The children of one object, in walk order. */
export interface Kids {
  readonly values: unknown[];
  /** Property keys (OBJECT, huge ARRAY: aligned with `values`; ERROR: the props, after the cause). */
  readonly keys: string[] | null;
  /** ERROR: `values[0]` is the own `cause`. */
  readonly cause?: boolean;
  /** ERROR: the last value is `AggregateError#errors`. */
  readonly errors?: boolean;
  /** OBJECT: some property is an accessor, read here once (the object must travel as a copy of these values). */
  readonly accessors?: boolean;
}

const NONE: Kids = { values: [], keys: null };
const ownDescriptor = Object.getOwnPropertyDescriptor;

/** Own enumerable properties of an error that travel as properties (the rest are fields of the record). */
export function errorPropKeys(error: Error, errorsField: boolean): string[] {
  return Object.keys(error).filter(
    (key) => key !== 'message' && key !== 'stack' && key !== 'cause' && !(errorsField && key === 'errors'),
  );
}

/** Whether `errors` is an AggregateError's own field rather than a user property. */
export function hasErrorsField(error: Error): boolean {
  return error instanceof AggregateError && Object.hasOwn(error, 'errors');
}

/** What reading children needs: the values read once, the `toState()` results. */
export type KidsContext = Pick<WalkContext, 'read' | 'states'>;

/** The own enumerable properties of `obj`, each read once (a getter is called once, and remembered in `ctx.read`). */
function propsOf(ctx: KidsContext, obj: object): Kids {
  const known = ctx.read.get(obj);
  if (known !== undefined) return known;
  const keys = Object.keys(obj);
  const values = new Array<unknown>(keys.length);
  let accessors = false;
  for (let i = 0; i < keys.length; i++) {
    const descriptor = ownDescriptor(obj, keys[i]!);
    if (descriptor === undefined || 'value' in descriptor) values[i] = descriptor?.value;
    else {
      accessors = true;
      values[i] = descriptor.get?.call(obj);
    }
  }
  if (!accessors) return { values, keys };
  const kids: Kids = { values, keys, accessors };
  ctx.read.set(obj, kids);
  return kids;
}

/** The children of `obj`, walked as `kind`. */
export function kidsOf(ctx: KidsContext, obj: object, kind: Kind): Kids {
  switch (kind) {
    case OBJECT:
      return propsOf(ctx, obj);
    case ARRAY: {
      const array = obj as unknown[];
      if (array.length > DENSE_LIMIT) {
        const keys = Object.keys(array);
        return { values: keys.map((key) => (array as unknown as Record<string, unknown>)[key]), keys };
      }
      const values = new Array<unknown>(array.length);
      for (let i = 0; i < array.length; i++) values[i] = array[i];
      return { values, keys: null };
    }
    case MAP: {
      const values: unknown[] = [];
      mapForEach.call(obj as Map<unknown, unknown>, (value, key) => values.push(key, value));
      return { values, keys: null };
    }
    case SET: {
      const values: unknown[] = [];
      setForEach.call(obj as Set<unknown>, (value) => values.push(value));
      return { values, keys: null };
    }
    case ERROR: {
      const error = obj as Error;
      const cause = Object.hasOwn(error, 'cause');
      const errors = hasErrorsField(error);
      const keys = errorPropKeys(error, errors);
      const record = error as unknown as Record<string, unknown>;
      const values: unknown[] = cause ? [error.cause] : [];
      for (const key of keys) values.push(record[key]);
      if (errors) values.push((error as AggregateError).errors);
      return { values, keys, cause, errors };
    }
    case STATE:
      return ctx.states.has(obj) ? { values: [ctx.states.get(obj)], keys: null } : NONE;
    default:
      return NONE;
  }
}

/** The path segment of `kids.values[i]`. */
export function kidLabel(kind: Kind, kids: Kids, i: number): string {
  switch (kind) {
    case OBJECT:
      return keyLabel(kids.keys![i]!);
    case ARRAY: {
      const key = kids.keys ? kids.keys[i]! : String(i);
      return /^\d+$/.test(key) ? `[${key}]` : keyLabel(key);
    }
    case MAP:
      return `<Map ${i % 2 === 0 ? 'key' : 'value'} ${i >> 1}>`;
    case SET:
      return `<Set item ${i}>`;
    case ERROR: {
      if (kids.cause && i === 0) return '.cause';
      const at = i - (kids.cause ? 1 : 0);
      return at < kids.keys!.length ? keyLabel(kids.keys![at]!) : '.errors';
    }
    default:
      return '<toState()>';
  }
}

/** An object the graph walk descends into: what it is and its children. */
export interface Opened {
  readonly kind: Kind;
  readonly kids: Kids;
}

/** What a {@link walkGraph} caller decides; `T` is what it keeps per place (a path, a field name…). */
export interface GraphVisitor<T> {
  /** Meets `value` where the walk reaches it (every time it is reached); true stops the walk there. */
  meet(value: unknown, at: T): boolean;
  /** The children of an object met for the first time, or null to not descend into it. */
  open(obj: object, at: T): Opened | null;
  /** What is kept for `opened.kids.values[i]`, the `i`-th child of `parent`. */
  child(parent: object, opened: Opened, i: number, at: T): T;
}

/**
 * The graph walk of the slow passes (the path finder, `reconnectAll`): depth-first pre-order with
 * an explicit stack (a 100k-deep chain must not overflow the call stack), each object descended
 * into once, at its first encounter, children in natural order: the order structured clone and
 * msgpackr write a value in, and the order of the fast walks here and of the byte form's writers,
 * which keep loops of their own because they are the hot paths (a visitor's calls per edge would
 * slow them) or need more than pre-order (the substitution pass's post-order, the byte plan's slots).
 * Returns what was kept where `meet` stopped it, or undefined.
 */
export function walkGraph<T>(root: unknown, at: T, visitor: GraphVisitor<T>): T | undefined {
  const values: unknown[] = [root];
  const places: T[] = [at];
  const seen = new Set<object>();
  while (values.length > 0) {
    const value = values.pop();
    const place = places.pop()!;
    if (visitor.meet(value, place)) return place;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const opened = visitor.open(value, place);
    if (opened === null) continue;
    for (let i = opened.kids.values.length - 1; i >= 0; i--) {
      values.push(opened.kids.values[i]);
      places.push(visitor.child(value, opened, i, place));
    }
  }
  return undefined;
}

/**
 * The path finder: the path (`root.a[2]<Map key 0>`) at which the walk first meets `target`, in
 * both forms. Searched only on failure, over the values as the failing walk read them (no getter
 * runs again); `root` when the value is not found.
 */
export function locate(ctx: WalkContext, target: unknown): string {
  return walkGraph<string>(ctx.root, 'root', {
    meet: (value) => value === target,
    open: (obj) => {
      const kind = ctx.classify(obj).kind;
      return isContainer(kind) || kind === ERROR || kind === STATE ? { kind, kids: kidsOf(ctx, obj, kind) } : null;
    },
    child: (_parent, { kind, kids }, i, path) => path + kidLabel(kind, kids, i),
  }) ?? 'root';
}

/** A SerializationError for `value`, named by where the walk first meets it. */
export function failAt(ctx: WalkContext, value: unknown, reason: string, cause?: unknown): SerializationError {
  return new SerializationError(reason, locate(ctx, value), cause);
}

/** Throws the SerializationError for a function or symbol that cannot be sent; returns if it can. */
export function checkAtom(ctx: WalkContext, value: unknown): void {
  if (typeof value === 'function') {
    if (registrationOf(value)?.id === undefined) throw failAt(ctx, value, functionReason(value as () => unknown));
  } else if (typeof value === 'symbol') {
    if (Symbol.keyFor(value) === undefined && intrinsicName(value) === undefined) throw failAt(ctx, value, symbolReason(value));
  }
}

/** The envelope's `classes` and `instances` tables, as a walk fills them. */
export class InstanceTable {
  /** Registered class ids, indexed by `instances`. */
  readonly classes: string[] = [];
  /** Flat pairs: object, index into `classes` (-1: null prototype). */
  readonly instances: unknown[] = [];
  private readonly index = new Map<string, number>();

  /** Lists `obj` when the receiver must restore its prototype: its class's (`id`), or null (`nullProto`). */
  note(obj: unknown, id: string | undefined, nullProto: boolean | undefined): void {
    if (id !== undefined) {
      let at = this.index.get(id);
      if (at === undefined) {
        at = this.classes.push(id) - 1;
        this.index.set(id, at);
      }
      this.instances.push(obj, at);
    } else if (nullProto === true) {
      this.instances.push(obj, -1);
    }
  }
}

/** Throws when an error carries a property the receiver would refuse to write. */
export function checkErrorKeys(ctx: WalkContext, error: Error, kids: Kids): void {
  for (const key of kids.keys ?? []) {
    if (FORBIDDEN_KEYS.has(key)) {
      throw new SerializationError(
        `an error's own property '${key}' cannot be sent (the receiver never writes that key): delete or rename it`,
        locate(ctx, error) + keyLabel(key),
      );
    }
  }
}
