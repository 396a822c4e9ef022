/**
 * Graph walks with an explicit stack (a 100k-deep chain must not overflow the
 * call stack): the fast pre-walk that validates and collects registered
 * instances, the child enumeration the substitution pass shares, and the
 * path finder that names where a bad value sits.
 *
 * All walks visit in the same order (depth-first pre-order, children in
 * natural order, an object at its first encounter), so the path finder
 * reports the same occurrence the walk that failed saw first.
 */
import { SerializationError } from '../errors.ts';
import { registrationOf } from '../runtime/registry.ts';
import {
  ARRAY, DENSE_LIMIT, ERROR, FORBIDDEN_KEYS, LEAF, MAP, OBJECT, SET, STATE, UNSENDABLE,
  carriedLastIndex, functionReason, keyLabel, symbolReason, type Classify, type Info, type Walk,
} from './classify.ts';

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
  /** MessagePorts met in the graph: the message's transfer list. */
  readonly transfer: Set<object>;
  /** Building the byte form, which cannot carry a MessagePort. */
  readonly bytes?: boolean;
}

/** Notes what a LEAF with a `special` carries beside the value (see {@link Info.special}). */
export function noteLeaf(ctx: WalkContext, leaf: object, info: Info): void {
  if (info.special === 'transfer') {
    if (ctx.bytes === true) {
      throw failAt(ctx, leaf, 'a MessagePort (a Pipe point holds one) cannot go into the byte form: it can only be ' +
        'transferred in a message; send it in the structured-clone form (cucumber.serialize without bytes)');
    }
    ctx.transfer.add(leaf);
  } else if (info.special === 'regexp') {
    const index = carriedLastIndex(leaf);
    if (index !== 0) ctx.lastIndex.push(leaf, index);
  }
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
}

const NONE: Kids = { values: [], keys: null };

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

/** The children of `obj`, walked as `walk`. */
export function kidsOf(obj: object, walk: Walk, states: Map<object, unknown>): Kids {
  switch (walk) {
    case OBJECT: {
      const keys = Object.keys(obj);
      const record = obj as Record<string, unknown>;
      return { values: keys.map((key) => record[key]), keys };
    }
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
      return states.has(obj) ? { values: [states.get(obj)], keys: null } : NONE;
    default:
      return NONE;
  }
}

/** The path segment of `kids.values[i]`. */
export function kidLabel(walk: Walk, kids: Kids, i: number): string {
  switch (walk) {
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

/** The path (`root.a[2]<Map key 0>`) at which the walk first meets `target`. */
export function locate(ctx: WalkContext, target: unknown): string {
  const values: unknown[] = [ctx.root];
  const paths: string[] = ['root'];
  const seen = new Set<object>();
  while (values.length > 0) {
    const value = values.pop();
    const path = paths.pop()!;
    if (value === target) return path;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const info = ctx.classify(value);
    if (info.walk === UNSENDABLE || info.walk === LEAF) continue;
    const kids = kidsOf(value, info.walk, ctx.states);
    for (let i = kids.values.length - 1; i >= 0; i--) {
      values.push(kids.values[i]);
      paths.push(path + kidLabel(info.walk, kids, i));
    }
  }
  return 'root';
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
    if (Symbol.keyFor(value) === undefined) throw failAt(ctx, value, symbolReason(value));
  }
}

/** What the fast walk found: registered instances, as the envelope lists them. */
export interface FastResult {
  readonly classes: string[];
  /** Flat pairs: object, index into `classes` (-1: null prototype). */
  readonly instances: unknown[];
}

function push(stack: unknown[], value: unknown): void {
  const type = typeof value;
  if (type === 'object' ? value !== null : type === 'function' || type === 'symbol') stack.push(value);
}

/**
 * Validate the whole graph and collect registered class instances, touching
 * nothing. Returns `null` as soon as it meets a value that must be
 * substituted (a registered function, a `Symbol.for` symbol, an Error, a
 * `toState` instance): the substitution pass takes over from scratch.
 */
export function fastWalk(ctx: WalkContext): FastResult | null {
  const stack: unknown[] = [];
  push(stack, ctx.root);
  const seen = new Set<object>();
  const classes: string[] = [];
  const classIndex = new Map<string, number>();
  const instances: unknown[] = [];
  const pushEntry = (value: unknown, key: unknown): void => {
    push(stack, key);
    push(stack, value);
  };
  const pushMember = (value: unknown): void => push(stack, value);
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object') {
      checkAtom(ctx, value);
      return null; // a registered function or a Symbol.for symbol
    }
    if (value === null) continue;
    const size = seen.size;
    if (seen.add(value).size === size) continue; // seen before
    const info = ctx.classify(value);
    switch (info.walk) {
      case OBJECT: {
        const keys = Object.keys(value);
        const record = value as Record<string, unknown>;
        for (let i = keys.length - 1; i >= 0; i--) push(stack, record[keys[i]!]);
        break;
      }
      case ARRAY: {
        const array = value as unknown[];
        if (array.length > DENSE_LIMIT) {
          const kids = kidsOf(array, ARRAY, ctx.states).values;
          for (let i = kids.length - 1; i >= 0; i--) push(stack, kids[i]);
        } else {
          for (let i = array.length - 1; i >= 0; i--) push(stack, array[i]);
        }
        break;
      }
      case MAP:
      case SET: {
        // Push in natural order, then reverse that stretch so it pops in natural order.
        let low = stack.length;
        if (info.walk === MAP) mapForEach.call(value as Map<unknown, unknown>, pushEntry);
        else setForEach.call(value as Set<unknown>, pushMember);
        for (let high = stack.length - 1; low < high; low++, high--) {
          const swap = stack[low];
          stack[low] = stack[high];
          stack[high] = swap;
        }
        break;
      }
      case LEAF:
        if (info.special !== undefined) noteLeaf(ctx, value, info);
        break;
      case UNSENDABLE:
        throw failAt(ctx, value, info.reason!);
      default:
        return null; // ERROR or STATE
    }
    if (info.id !== undefined) {
      let index = classIndex.get(info.id);
      if (index === undefined) {
        index = classes.push(info.id) - 1;
        classIndex.set(info.id, index);
      }
      instances.push(value, index);
    } else if (info.nullProto) {
      instances.push(value, -1);
    }
  }
  return { classes, instances };
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
