/**
 * The general repair plan of the byte form: one iterative walk over an envelope `serialize`
 * built (substitution included) that lists what msgpackr would lose, by slot (n-th key of an
 * object, index of an array, position in a Map's flat entries or a Set). The fused walk in
 * bytes-walk.ts covers the common graphs in one pass; this one covers everything.
 */
import { SerializationError } from '../errors.ts';
import { DENSE_LIMIT, keyLabel } from './classify.ts';
import type { Envelope, ErrorRecord, Placeholder } from './protocol.ts';
import {
  ARR, BLOB, BOX, BUFFER, ELIDED, HOLES, MAP, NEG_ZERO, OBJ, SAB_REASON, SET, STRING, SUBMAP, SWAP, VIEW,
  boxRecord, kindOf, safe, units, viewRecord, wellFormed, type Repairs, type Special,
} from './bytes-kinds.ts';

/** The repairs a byte form of `env` needs. */
export function plan(env: Envelope): Repairs {
  const ops: unknown[] = [];
  const recipes: unknown[] = [];
  const special = new Map<object, Special>();
  let blobs = false;
  const seen = new Map<object, number>(); // its recipe, or -1
  const stack: unknown[] = [env, OBJ, Object.keys(env)]; // triples: container, kind, keys or items
  seen.set(env, -1);
  const recipe = (obj: object, made: unknown[], items: unknown[]): number => {
    stack.push(items, ARR, null);
    seen.set(obj, recipes.length);
    return recipes.push(made) - 1;
  };
  const first = (obj: object): number => {
    seen.set(obj, -1);
    const kind = kindOf(obj);
    if (typeof kind === 'string') throw new SerializationError(kind, pathOf(env, obj));
    if (kind === OBJ) {
      const keys = Object.keys(obj);
      let bad = false;
      for (let i = 0; i < keys.length && !bad; i++) bad = keys[i] === '__proto__' || !wellFormed(keys[i]!);
      if (!bad) stack.push(obj, OBJ, keys);
      else {
        const values = keys.map((key) => (obj as Record<string, unknown>)[key]);
        return recipe(obj, ['o', keys.map(safe), values], values);
      }
    } else if (kind === ARR) {
      stack.push(obj, ARR, null);
    } else if (kind === MAP || kind === SUBMAP || kind === SET) {
      const items: unknown[] = [];
      if (kind === SET) (obj as Set<unknown>).forEach((item) => items.push(item));
      else (obj as Map<unknown, unknown>).forEach((value, key) => items.push(key, value));
      let bad = kind === SUBMAP;
      for (let i = 0; i < items.length && !bad; i += kind === SET ? 1 : 2) bad = typeof items[i] === 'string' && !wellFormed(items[i] as string);
      if (!bad) stack.push(obj, kind, items);
      else {
        if (kind !== MAP) special.set(obj, ELIDED);
        return recipe(obj, [kind === SET ? 's' : 'm', items], items);
      }
    } else if (kind === VIEW) {
      const record = viewRecord(obj as ArrayBufferView);
      if (record === null) throw new SerializationError(SAB_REASON, pathOf(env, obj));
      special.set(obj, record);
      special.set(record[1] as ArrayBuffer, BLOB);
      blobs = true;
    } else if (kind === BUFFER) {
      special.set(obj, BLOB);
      blobs = true;
    } else if (kind === BOX) {
      special.set(obj, boxRecord(obj));
    }
    return -1;
  };
  const edge = (parent: unknown, slot: number, value: unknown): void => {
    if (typeof value === 'number') {
      if (value === 0 && 1 / value < 0) ops.push(NEG_ZERO, parent, slot);
    } else if (typeof value === 'string') {
      if (!wellFormed(value)) ops.push(STRING, parent, slot, units(value));
    } else if (typeof value === 'object' && value !== null) {
      const index = seen.get(value) ?? first(value);
      if (index >= 0) ops.push(SWAP, parent, slot, index);
    }
  };
  while (stack.length > 0) {
    const children = stack.pop() as unknown[] | null;
    const kind = stack.pop() as number;
    const obj = stack.pop() as Record<string, unknown> & unknown[];
    if (kind === OBJ) for (let i = 0; i < children!.length; i++) edge(obj, i, obj[children![i] as string]);
    else if (kind !== ARR) for (let i = 0; i < children!.length; i++) edge(obj, i, children![i]);
    else {
      const length = obj.length;
      if (length > DENSE_LIMIT && Object.keys(obj).length < length) {
        throw new SerializationError(`a sparse array of length ${length} cannot go into the byte form: ` +
          'send a Map of its entries, or use the structured-clone form', pathOf(env, obj));
      }
      let hole = -1;
      for (let i = 0; i <= length; i++) {
        const value = obj[i];
        if (i < length && value === undefined && !(i in obj)) {
          if (hole < 0) hole = i;
          continue;
        }
        if (hole >= 0) ops.push(HOLES, obj, hole, i);
        hole = -1;
        if (i < length) edge(obj, i, value);
      }
    }
  }
  return { ops, recipes, special, blobs };
}

/** Where `target` sits, as a user-facing path (`root.a[2]<Map value 0>`); searched only on failure. */
function pathOf(env: Envelope, target: object): string {
  const subs = new Set<unknown>(env.subs ?? []);
  const todo: Array<[unknown, string]> = [[env.root, 'root']];
  const seen = new Set<unknown>();
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const [value, path] = next;
    if (value === target) return path;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const kids: Array<[unknown, string]> = [];
    const sub = subs.has(value) ? (value as Placeholder) : undefined;
    if (sub?.k === 'state') kids.push([sub.state, `${path}<toState()>`]);
    else if (sub?.k === 'error') {
      const { props, cause, errors } = sub as ErrorRecord;
      kids.push([cause, `${path}.cause`], [errors, `${path}.errors`]);
      for (let i = 0; i < props.length; i += 2) kids.push([props[i + 1], path + keyLabel(String(props[i]))]);
    } else if (value instanceof Map) [...value].forEach(([k, v], i) => kids.push([k, `${path}<Map key ${i}>`], [v, `${path}<Map value ${i}>`]));
    else if (value instanceof Set) [...value].forEach((v, i) => kids.push([v, `${path}<Set item ${i}>`]));
    else if (Array.isArray(value)) value.forEach((v, i) => kids.push([v, `${path}[${i}]`]));
    else if (ArrayBuffer.isView(value)) kids.push([value.buffer, path]);
    else if (!sub) for (const key of Object.keys(value)) kids.push([(value as Record<string, unknown>)[key], path + keyLabel(key)]);
    for (let i = kids.length - 1; i >= 0; i--) todo.push(kids[i]!);
  }
  return 'root';
}
