/**
 * The general repair plan of the byte form: one iterative walk over an envelope `serialize` built
 * (substitution included) that lists what msgpackr would lose, by slot (n-th key of an object,
 * index of an array, position in a Map's flat entries or a Set), and checks that msgpackr's reader
 * will have the stack to read it (bytes-depth.ts). It visits objects in the order msgpackr's writer
 * does (pre-order: the envelope, then the recipes' items), so it knows how deep each is written.
 * The one-pass writer in bytes-encode.ts covers the common graphs; this one covers everything.
 */
import { SerializationError } from '../errors.ts';
import { DENSE_LIMIT } from './classify.ts';
import type { Envelope } from './protocol.ts';
import { byteLengthOf, isDetached, snapshot } from './brands.ts';
import {
  ARRAY_STACK, BASE_STACK, DEEP_REASON, EXTENSION_STACK, ID_STACK, Levels, NEW_RECORD_STACK, SHAPED, STACK_BUDGET,
} from './bytes-depth.ts';
import {
  DETACHED_REASON, ELIDED, HOLES, NEG_ZERO, STRING, SWAP, boxRecord, fitsUtf8, kindOf, leafRecord, rebuilt, safe, units,
  viewFits, viewRecord, type Repairs, type Special,
} from './bytes-kinds.ts';
import { ARRAY, ARRAY_BUFFER, BOXED, MAP, OBJECT, SET, VIEW } from './kinds.ts';

const RESIZED_REASON = 'an ArrayBuffer was resized while the value was being written (a view over it no longer fits ' +
  'the bytes already taken): do not resize it from a getter or toState()';
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;

/** Where an object is written: its node, and the stack its reader has used there (every record counted as defining its shape). */
interface Level {
  readonly node: number;
  readonly cost: number;
  readonly depth: number;
}

/** A container being walked: its children, and where their repairs go. */
interface Frame extends Level {
  /** What the children are read from: an object (by `keys`), or an array or list (by index). */
  readonly source: object;
  readonly keys: string[] | null;
  readonly length: number;
  /** The container the repairs name, or null for an object a recipe rebuilds (its items get them). */
  readonly target: object | null;
  next: number;
  /** Start of the run of holes being crossed (an array), or -1. */
  hole: number;
}

/**
 * The repairs a byte form of `env` needs; throws a SerializationError for what it cannot carry,
 * at the path `where` (the serializer's one path finder) gives the object.
 *
 * It walks the envelope in its own loop, not the shared graph walk (walk.ts): in msgpackr's write
 * order as the shared walk does, but with each child's slot in its container, the runs of holes of
 * arrays and the recipes' lists written after the envelope, which are what the repairs name.
 */
export function plan(env: Envelope, where: (obj: object) => string): Repairs {
  const ops: unknown[] = [];
  const recipes: unknown[] = [];
  const special = new Map<object, Special>();
  let blobs = false;
  const levels = new Levels();
  const nodeOf = new Map<object, number>();
  const recipeAt: number[] = []; // by node: the recipe that rebuilds it
  const ids = new Set<number>(); // nodes msgpackr meets more than once
  const pending: unknown[][] = []; // the recipes' items, which msgpackr writes after the envelope
  const frames: Frame[] = [];
  let maxCost = 0;
  let maxDepth = 0;

  const owners = new Map<object, object>(); // a recipe's list of items → the object it rebuilds
  const refuse = (reason: string, obj: object): SerializationError => new SerializationError(reason, where(owners.get(obj) ?? obj));
  const push = (source: object, keys: string[] | null, target: object | null, node: number, cost: number, depth: number): void => {
    const length = keys === null ? (source as unknown[]).length : keys.length;
    frames.push({ source, keys, length, target, node, cost, depth, next: 0, hole: -1 });
  };
  /** A new node under `parent` (null: the envelope's level): its node, cost and depth. */
  const add = (obj: object, parent: Level | null, weight: number): [number, number, number] => {
    const node = levels.add(obj, parent === null ? -1 : parent.node, weight);
    nodeOf.set(obj, node);
    const cost = (parent === null ? BASE_STACK : parent.cost) + (weight === SHAPED ? NEW_RECORD_STACK : weight);
    const depth = (parent === null ? 0 : parent.depth) + 1;
    if (BASE_STACK + depth * ARRAY_STACK > STACK_BUDGET) throw refuse(DEEP_REASON, obj); // too deep whatever the levels are
    if (cost > maxCost) maxCost = cost;
    if (depth > maxDepth) maxDepth = depth;
    return [node, cost, depth];
  };
  const recipe = (node: number, made: unknown[], items: unknown[]): void => {
    recipeAt[node] = recipes.push(made) - 1;
    pending.push(items);
    owners.set(items, levels.object(node));
  };
  /** An ArrayBuffer written as a blob (`holder`: the view it is written for, which the user can find). */
  const buffer = (obj: object, holder = obj): void => {
    if (isDetached(obj)) throw refuse(DETACHED_REASON, holder);
    if (!special.has(obj)) special.set(obj, snapshot(obj as ArrayBuffer));
    blobs = true;
  };

  /** The first time msgpackr writes `obj`, under `parent`; its node. */
  const first = (obj: object, parent: Level): number => {
    const kind = kindOf(obj);
    if (typeof kind === 'string') throw refuse(kind, obj);
    if (kind === OBJECT) {
      const [node, cost, depth] = add(obj, parent, SHAPED);
      const keys = Object.keys(obj);
      let bad = false;
      for (let i = 0; i < keys.length && !bad; i++) bad = keys[i] === '__proto__' || !fitsUtf8(keys[i]!);
      if (!bad) push(obj, keys, obj, node, cost, depth);
      else {
        const values = keys.map((key) => (obj as Record<string, unknown>)[key]);
        recipe(node, ['o', keys.map(safe), values], values);
        push(values, null, null, node, cost, depth);
      }
      return node;
    }
    if (kind === ARRAY) {
      const [node, cost, depth] = add(obj, parent, ARRAY_STACK);
      const length = (obj as unknown[]).length;
      if (length > DENSE_LIMIT && Object.keys(obj).length < length) {
        throw refuse(`a sparse array of length ${length} cannot go into the byte form: ` +
          'send a Map of its entries, or use the structured-clone form', obj);
      }
      push(obj, null, obj, node, cost, depth);
      return node;
    }
    if (kind === MAP || kind === SET) {
      const isSetKind = kind === SET;
      const recast = rebuilt(obj, kind);
      const items: unknown[] = [];
      if (isSetKind) setForEach.call(obj as Set<unknown>, (item) => items.push(item));
      else mapForEach.call(obj as Map<unknown, unknown>, (value, key) => items.push(key, value));
      let bad = recast;
      for (let i = 0; i < items.length && !bad; i += isSetKind ? 1 : 2) bad = typeof items[i] === 'string' && !fitsUtf8(items[i] as string);
      const elided = bad && (recast || kind !== MAP); // msgpackr writes it as a marker; the recipe's items come later
      const [node, cost, depth] = add(obj, parent, kind === MAP && !recast ? ARRAY_STACK : EXTENSION_STACK);
      if (elided) special.set(obj, ELIDED);
      else push(items, null, bad ? null : obj, node, cost, depth);
      if (bad) recipe(node, [isSetKind ? 's' : 'm', items], items);
      return node;
    }
    const [node, cost, depth] = add(obj, parent, EXTENSION_STACK);
    if (kind === VIEW) {
      const record = viewRecord(obj);
      if (typeof record === 'string') throw refuse(record, obj);
      const target = record[1] as object;
      buffer(target, obj);
      if (!viewFits(record, byteLengthOf(special.get(target) as ArrayBuffer))) throw refuse(RESIZED_REASON, obj);
      special.set(obj, record);
      const known = nodeOf.get(target);
      if (known === undefined) add(target, { node, cost, depth }, EXTENSION_STACK);
      else ids.add(known);
    } else if (kind === ARRAY_BUFFER) {
      buffer(obj);
    } else if (kind === BOXED) {
      special.set(obj, boxRecord(obj));
    } else {
      const record = leafRecord(obj, kind);
      if (record !== null) special.set(obj, record);
    }
    return node;
  };

  const edge = (f: Frame, slot: number, value: unknown): void => {
    const target = f.target;
    if (typeof value === 'number') {
      if (value === 0 && 1 / value < 0 && target !== null) ops.push(NEG_ZERO, target, slot);
    } else if (typeof value === 'string') {
      if (target !== null && !fitsUtf8(value)) ops.push(STRING, target, slot, units(value));
    } else if (typeof value === 'object' && value !== null) {
      let node = nodeOf.get(value);
      if (node === undefined) node = first(value, f);
      else ids.add(node);
      const index = recipeAt[node];
      if (index !== undefined && target !== null) ops.push(SWAP, target, slot, index);
    }
  };

  const run = (): void => {
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      const { source, keys } = f;
      if (f.next === f.length) {
        frames.pop();
        if (f.hole >= 0) ops.push(HOLES, source, f.hole, f.length);
        continue;
      }
      const slot = f.next++;
      let value: unknown;
      if (keys !== null) value = (source as Record<string, unknown>)[keys[slot]!];
      else {
        value = (source as unknown[])[slot];
        if (value === undefined && !(slot in source)) {
          if (f.hole < 0) f.hole = slot;
          continue;
        }
        if (f.hole >= 0) {
          ops.push(HOLES, source, f.hole, slot);
          f.hole = -1;
        }
      }
      edge(f, slot, value);
    }
  };

  push(env, Object.keys(env), env, -1, BASE_STACK, 0);
  run();
  // The recipes' items, in the order msgpackr writes them (finding more recipes as it goes).
  for (let r = 0; r < pending.length; r++) {
    const items = pending[r]!;
    const [node, cost, depth] = add(items, null, ARRAY_STACK);
    push(items, null, items, node, cost, depth);
    run();
  }
  // The ops list names each container it repairs again: msgpackr gives those an id.
  for (let i = 0; i < ops.length; i += ops[i] === NEG_ZERO ? 3 : 4) {
    const node = nodeOf.get(ops[i + 1] as object);
    if (node !== undefined) ids.add(node);
  }
  if (maxCost + ID_STACK * Math.min(maxDepth, ids.size) > STACK_BUDGET) {
    const over = levels.overBudget((node) => ids.has(node));
    if (over >= 0) throw refuse(DEEP_REASON, levels.object(over));
  }
  return { ops, recipes, special, blobs };
}
