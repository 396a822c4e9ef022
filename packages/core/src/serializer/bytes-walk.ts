/**
 * The byte form's fast path: ONE walk over the value that does what `fastWalk` does for the
 * envelope (validate, collect registered instances and regexp `lastIndex`es) and what the
 * general plan (bytes-plan.ts) does for msgpackr (-0, lone surrogates, holes, views, boxes,
 * buffers). It gives up (returns null) on anything unusual: a value to substitute, one that
 * cannot be sent, one that needs a recipe; the general path (`fastWalk`/`substitute`, then
 * `plan`) then starts over and reports errors exactly as it always has. Its visiting order does
 * not matter: repairs name their container and slot, and blobs go in the order msgpackr writes them.
 */
import { ARRAY, DENSE_LIMIT, LEAF, MAP, OBJECT, SET } from './classify.ts';
import { FORMAT, VERSION, type Envelope } from './protocol.ts';
import type { WalkContext } from './walk.ts';
import {
  BLOB, BOX, BUFFER, HOLES, LEAF as PLAIN_LEAF, NEG_ZERO, RE, STRING, VIEW,
  boxRecord, kindOf, units, viewRecord, wellFormed, type Repairs, type Special,
} from './bytes-kinds.ts';

const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;

/** The envelope `serialize` would build for `ctx.root` and the repairs of its byte form, or null. */
export function bytesWalk(ctx: WalkContext): { envelope: Envelope; repairs: Repairs } | null {
  try {
    return walk(ctx);
  } catch {
    return null; // a getter threw, say: the general path runs it again and reports it
  }
}

function walk(ctx: WalkContext): { envelope: Envelope; repairs: Repairs } | null {
  const classify = ctx.classify;
  const ops: unknown[] = [];
  const special = new Map<object, Special>();
  const stack: object[] = [];
  const seen = new Set<object>();
  const classes: string[] = [];
  const classIndex = new Map<string, number>();
  const instances: unknown[] = [];
  const lastIndex: unknown[] = [];
  const envelope: { -readonly [K in keyof Envelope]: Envelope[K] } = { format: FORMAT, version: VERSION, root: ctx.root };
  let blobs = false;
  let bail = false;
  // The slot being visited: `parent`'s `slot`-th key, index or flat Map entry.
  let parent: object = envelope;
  let slot = 2;
  const visit = (value: unknown): void => {
    const type = typeof value;
    if (type === 'object') {
      if (value !== null) stack.push(value as object);
    } else if (type === 'string') {
      if (!wellFormed(value as string)) ops.push(STRING, parent, slot, units(value as string));
    } else if (type === 'number') {
      if (value === 0 && 1 / (value as number) < 0) ops.push(NEG_ZERO, parent, slot);
    } else if (type === 'function' || type === 'symbol') {
      bail = true;
    }
    slot++;
  };
  // Map keys and Set members: one with a lone surrogate would collide with others once written (a recipe).
  const member = (value: unknown): void => {
    if (typeof value === 'string' && !wellFormed(value)) bail = true;
    visit(value);
  };
  const entry = (value: unknown, key: unknown): void => {
    member(key);
    visit(value);
  };

  visit(ctx.root);
  while (stack.length > 0 && !bail) {
    const obj = stack.pop()!;
    const size = seen.size;
    if (seen.add(obj).size === size) continue;
    const info = classify(obj);
    parent = obj;
    slot = 0;
    switch (info.walk) {
      case OBJECT: {
        const keys = Object.keys(obj);
        const record = obj as Record<string, unknown>;
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          if (key === '__proto__' || !wellFormed(key)) return null;
          visit(record[key]);
        }
        break;
      }
      case ARRAY: {
        const array = obj as unknown[];
        const length = array.length;
        if (length > DENSE_LIMIT) return null;
        let hole = -1;
        for (let i = 0; i < length; i++) {
          const value = array[i];
          if (value === undefined && !(i in array)) {
            if (hole < 0) hole = i;
            continue;
          }
          if (hole >= 0) ops.push(HOLES, array, hole, i);
          hole = -1;
          slot = i;
          visit(value);
        }
        if (hole >= 0) ops.push(HOLES, array, hole, length);
        break;
      }
      case MAP:
        if (Object.getPrototypeOf(obj) !== Map.prototype) return null; // a Map subclass: msgpackr writes it as {}
        mapForEach.call(obj as Map<unknown, unknown>, entry);
        break;
      case SET:
        setForEach.call(obj as Set<unknown>, member);
        break;
      case LEAF: {
        if (info.special === 'transfer') return null;
        const kind = kindOf(obj);
        if (kind === RE) {
          if ((obj as RegExp).lastIndex !== 0) lastIndex.push(obj, (obj as RegExp).lastIndex);
        } else if (kind === VIEW) {
          const record = viewRecord(obj as ArrayBufferView);
          if (record === null) return null;
          special.set(obj, record);
          special.set(record[1] as ArrayBuffer, BLOB);
          blobs = true;
        } else if (kind === BUFFER) {
          special.set(obj, BLOB);
          blobs = true;
        } else if (kind === BOX) {
          special.set(obj, boxRecord(obj));
        } else if (kind !== PLAIN_LEAF) {
          return null; // refused (SharedArrayBuffer, Blob…) or unexpected
        }
        break;
      }
      default:
        return null; // ERROR, STATE (substituted) or UNSENDABLE
    }
    if (info.id !== undefined) {
      let index = classIndex.get(info.id);
      if (index === undefined) {
        if (!wellFormed(info.id)) return null;
        index = classes.push(info.id) - 1;
        classIndex.set(info.id, index);
      }
      instances.push(obj, index);
    } else if (info.nullProto) {
      instances.push(obj, -1);
    }
  }
  if (bail) return null;
  if (instances.length > 0) {
    envelope.classes = classes;
    envelope.instances = instances;
  }
  if (lastIndex.length > 0) envelope.lastIndex = lastIndex;
  return { envelope, repairs: { ops, recipes: [], special, blobs } };
}
