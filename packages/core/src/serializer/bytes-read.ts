/**
 * Reading the byte form, after msgpackr: cucumber's extension records (views, boxes, blobs,
 * strings, RegExps, Dates, elided objects) and the repairs (links first), applied in place
 * before `restore`. Everything read is checked; nothing is evaluated.
 */
import { SerializationError } from '../errors.ts';
import { ELIDED, HOLES, LINK, NEG_ZERO, STRING, SWAP, VIEW_NAMES } from './bytes-kinds.ts';

/** A SerializationError about malformed bytes. */
export function bad(message: string, path = 'bytes', cause?: unknown): SerializationError {
  return new SerializationError(`cannot deserialize: ${message}`, path, cause);
}

const isIndex = (value: unknown, limit: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limit;

/** Where the blobs of the bytes being read are: `source[cursor..]`, in the order their records come. */
export interface BlobSource {
  readonly source: Uint8Array;
  cursor: number;
}

const boxTypes: Record<string, string> = { n: 'number', s: 'string', b: 'boolean', i: 'bigint' };

/** What one extension record stands for (see `Special` in bytes-kinds.ts, and bytes-encode.ts). */
export function readRecord(data: unknown, blobs: BlobSource): unknown {
  if (typeof data === 'number') {
    const { source, cursor } = blobs;
    if (!isIndex(data, source.length - cursor)) throw new RangeError('a blob runs past the end of the bytes');
    blobs.cursor = cursor + data;
    return (Uint8Array.prototype.slice.call(source, cursor, cursor + data) as Uint8Array).buffer as ArrayBuffer;
  }
  if (data === ELIDED) return {};
  const [tag, a, b, c] = Array.isArray(data) ? (data as unknown[]) : [];
  if (typeof tag === 'number') {
    const name = VIEW_NAMES[tag];
    const View = name === undefined ? undefined : (globalThis as Record<string, unknown>)[name];
    if (typeof View !== 'function') throw new TypeError(`unknown view class ${String(name ?? tag)} (this engine may not have it)`);
    if (!(a instanceof ArrayBuffer) || !isIndex(b, a.byteLength) || !isIndex(c, a.byteLength)) throw new TypeError('a view record is malformed');
    return new (View as new (...args: unknown[]) => object)(a, b, c);
  }
  if (tag === 'u' && Array.isArray(a) && b === undefined) return fromUnits(a);
  if (tag === 'r' && typeof b === 'string' && c === undefined) return new RegExp(text(a, 'bytes'), b);
  if (tag === 'd' && typeof a === 'number' && b === undefined) return new Date(a);
  if (tag === 'z' && a === undefined) return Object(-0) as object;
  if (typeof tag === 'string' && Object.hasOwn(boxTypes, tag)) {
    if (tag === 's') return Object(text(a, 'bytes')) as object;
    if (typeof a === boxTypes[tag]) return Object(a) as object;
  }
  throw new TypeError('a cucumber record is malformed');
}

/** A string from its UTF-16 code units (lone surrogates included). */
function fromUnits(list: unknown[]): string {
  for (const unit of list) if (!isIndex(unit, 0xffff)) throw new TypeError('a string record is malformed');
  let out = '';
  for (let i = 0; i < list.length; i += 4096) out += String.fromCharCode(...(list.slice(i, i + 4096) as number[]));
  return out;
}

function text(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (!(value instanceof Uint16Array)) throw bad('a repaired string is neither a string nor UTF-16 units', path);
  let out = '';
  for (let i = 0; i < value.length; i += 4096) out += String.fromCharCode(...value.subarray(i, i + 4096));
  return out;
}

const define = (target: object, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
};

/** A recipe's object, as an empty shell (filled once every recipe has one: they may refer to each other). */
function build(recipe: unknown, path: string): object {
  const [tag, a, b] = Array.isArray(recipe) ? (recipe as unknown[]) : [];
  if (tag === 'm' && Array.isArray(a) && a.length % 2 === 0) return new Map();
  if (tag === 's' && Array.isArray(a)) return new Set();
  if (tag === 'o' && Array.isArray(a) && Array.isArray(b) && a.length === b.length) return {};
  throw bad('a recipe is unknown or malformed', path);
}

/** Put flat pairs `slot, value` into a Map, Set or object, in place; never adds a key. */
function put(target: object, list: unknown[]): void {
  const isMap = target instanceof Map;
  const items: unknown[] = [];
  if (isMap) target.forEach((value, key) => items.push(key, value));
  else if (target instanceof Set) target.forEach((item) => items.push(item));
  const keys = isMap || target instanceof Set ? null : Object.keys(target);
  for (let i = 0; i < list.length; i += 2) {
    if (!isIndex(list[i], (keys ?? items).length - 1)) throw bad('a repair slot is out of range', 'bytes.ops');
    if (keys === null) items[list[i] as number] = list[i + 1];
    else {
      // An own data property msgpackr made: assigning it runs no setter (only '__proto__' could reach one).
      const key = keys[list[i] as number]!;
      if (key === '__proto__') define(target, key, list[i + 1]);
      else (target as Record<string, unknown>)[key] = list[i + 1];
    }
  }
  if (keys) return;
  (target as Set<unknown>).clear();
  if (isMap) for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  else for (const item of items) (target as Set<unknown>).add(item);
}

/** Apply the repairs the writer listed (`ops`: see bytes-kinds.ts; `recipes`: objects to rebuild), in place. */
export function repair(ops: unknown, recipes: unknown): void {
  if (!Array.isArray(ops) || !Array.isArray(recipes)) throw bad('the repair tables are malformed');
  const made = recipes.map((recipe, i) => build(recipe, `bytes.recipes[${i}]`));
  const grouped = new Map<object, unknown[]>();
  const holes: unknown[] = [];
  for (let i = 0; i < ops.length;) {
    const [op, target, slot, extra] = [ops[i], ops[i + 1], ops[i + 2], ops[i + 3]];
    const path = `bytes.ops[${i}]`;
    i += op === NEG_ZERO ? 3 : 4;
    if (typeof target !== 'object' || target === null) throw bad('a repair names no object', path);
    let value: unknown;
    if (op === NEG_ZERO) value = -0;
    else if (op === STRING) value = text(extra, path);
    else if (op === SWAP && isIndex(extra, made.length - 1)) value = made[extra];
    else if (op === LINK) value = extra;
    else if (op === HOLES) {
      holes.push(target, slot, extra);
      continue;
    } else throw bad('a repair is malformed', path);
    if (!Array.isArray(target)) grouped.get(target)?.push(slot, value) ?? grouped.set(target, [slot, value]);
    else if (isIndex(slot, target.length - 1)) target[slot] = value;
    else throw bad('a repair slot is out of range', path);
  }
  grouped.forEach((list, target) => put(target, list));
  recipes.forEach((recipe: unknown[], n) => {
    const [tag, a, b] = recipe as [string, unknown[], unknown[]];
    const shell = made[n]!;
    if (tag === 'm') for (let i = 0; i < a.length; i += 2) (shell as Map<unknown, unknown>).set(a[i], a[i + 1]);
    else if (tag === 's') for (const item of a) (shell as Set<unknown>).add(item);
    else a.forEach((key, i) => define(shell, text(key, `bytes.recipes[${n}]`), b[i]));
  });
  for (let i = 0; i < holes.length; i += 3) {
    const [array, start, end] = [holes[i], holes[i + 1], holes[i + 2]];
    if (!Array.isArray(array) || !isIndex(end, array.length) || !isIndex(start, (end as number) - 1)) throw bad('a hole repair is malformed', 'bytes.ops');
    for (let j = start; j < end; j++) delete array[j];
  }
}
