/**
 * The byte form: `MAGIC VERSION`, then msgpackr (`structuredClone: true`: shared references and
 * cycles kept) packing `[envelope]` or `[envelope, ops, recipes]`; the envelope is the one
 * `serialize` builds, so its side tables keep their identity. One iterative walk lists what
 * msgpackr would lose, as repairs the receiver applies in place before `restore`, by slot (n-th
 * key of an object, index of an array, position in a Map's flat entries or a Set):
 * - `-0` (written as 0) and lone-surrogate strings (UTF-8 makes them U+FFFD) are put back;
 * - array holes (written as `undefined`) are deleted; a RegExp's `lastIndex` is set;
 * - objects msgpackr mangles are rebuilt from a recipe and swapped into every slot that held
 *   them: typed arrays and DataViews (over their ArrayBuffer, offset and length, so views keep
 *   sharing a buffer; subclasses, Node Buffers and Float16Array, which msgpackr cannot read
 *   back, arrive as the base class, as structured clone gives them), boxed primitives, Map
 *   subclasses, Maps/Sets with lone-surrogate keys, objects with an own `__proto__` key or
 *   lone-surrogate keys. While cucumber packs, an extension writes views, boxes and
 *   subclasses as `{}`, so their bytes are not written twice.
 * Not carried: own non-index properties of arrays (RegExp match arrays lose index/input/groups)
 * and ArrayBuffer resizability; nesting beyond what msgpackr's recursion allows (about 1200
 * levels) is a SerializationError. Refused with their path: SharedArrayBuffer (and views over
 * one), Blob, File and other host objects. Reading never evaluates payload code: msgpackr compiles
 * record readers with `new Function` from JSON-escaped key names only (its interpreter takes over
 * where a CSP forbids that).
 */
// 'msgpackr/pack' (Packr also reads) loads without msgpackr's stream module and Node addon: a
// worker starts about 10 ms sooner, and the addon did not read these payloads faster.
import { Packr, addExtension } from 'msgpackr/pack';
import type { Options } from 'msgpackr';
import { SerializationError } from '../errors.ts';
import { DENSE_LIMIT, keyLabel } from './classify.ts';
import type { Envelope, ErrorRecord, Placeholder } from './protocol.ts';

/** First bytes of every byte form ('SKCU'), followed by {@link BYTES_VERSION}. */
export const MAGIC: readonly number[] = [0x53, 0x4b, 0x43, 0x55];
/** Version of the byte form this build writes and reads. */
export const BYTES_VERSION = 1;
const HEADER = MAGIC.length + 1;
const NEG_ZERO = 1, STRING = 2, SWAP = 3, HOLES = 4, LAST_INDEX = 5;
const OBJ = 0, ARR = 1, MAP = 2, SUBMAP = 3, SET = 4, LEAF = 5, RE = 6, VIEW = 7, BOX = 8;
type Kind = number | string; // a string says why it cannot go into bytes

const OPTIONS: Options = { structuredClone: true, useToJSON: false, copyBuffers: true, mapsAsObjects: false, int64AsType: 'bigint' };
let codec: { packr: Packr; unpackr: Packr } | null = null;
let eliding: ReadonlySet<object> | null = null;
let decoding = false;

/** What msgpackr writes as `{}`: only while cucumber packs (other msgpackr users pay one `instanceof`). */
class Elided {
  static [Symbol.hasInstance](value: unknown): boolean {
    return eliding !== null && eliding.has(value as object);
  }
}

function codecs(): { packr: Packr; unpackr: Packr } {
  if (codec === null) {
    addExtension({ Class: Elided, write: () => ({}) });
    // msgpackr's error extension looks names up through Object.prototype ('valueOf' hands out its
    // own table). Same behaviour with own lookups; refused in cucumber bytes, which never use it.
    const table: Record<string, unknown> = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError };
    addExtension({
      type: 0x65,
      read(data: unknown): unknown {
        if (decoding) throw new TypeError('cucumber bytes never hold msgpackr error extensions');
        const [name, message, cause] = Array.isArray(data) ? data : [];
        if (typeof name === 'string' && Object.hasOwn(table, name)) return (table[name] as (m: unknown, o: object) => Error)(message, { cause });
        return Object.assign(new Error(message as string, { cause }), { name });
      },
    });
    codec = { packr: new Packr(OPTIONS), unpackr: new Packr(OPTIONS) };
  }
  return codec;
}

const wellFormedNative: (s: string) => boolean = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
  ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
  : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
/** No lone surrogate in `s` (short strings are scanned inline: a native call per string costs more). */
function wellFormed(s: string): boolean {
  if (s.length > 64) return wellFormedNative(s);
  for (let i = 0; i < s.length; i++) if ((s.charCodeAt(i) & 0xf800) === 0xd800) return wellFormedNative(s);
  return true;
}
const units = (s: string): Uint16Array => Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
const safe = (s: string): string | Uint16Array => (wellFormed(s) ? s : units(s));

const SAB = 'a SharedArrayBuffer cannot go into the byte form (bytes are a copy; it would stop being shared): ' +
  'send it in the structured-clone form (serialize without { bytes: true }), or copy it into an ArrayBuffer';
const hosts = ['Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMPoint', 'DOMPointReadOnly',
  'DOMRect', 'DOMRectReadOnly', 'DOMQuad', 'DOMMatrix', 'DOMMatrixReadOnly'];
const kinds = new WeakMap<object, Kind>();

function kindOf(obj: object): Kind {
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === Object.prototype || proto === null) return OBJ;
  if (proto === Array.prototype) return ARR;
  if (proto === Date.prototype) return LEAF;
  if (proto === Map.prototype) return MAP;
  if (proto === Set.prototype) return SET;
  let kind = kinds.get(proto);
  if (kind === undefined) kinds.set(proto, (kind = computeKind(obj, proto)));
  return kind;
}

function computeKind(obj: object, proto: object): Kind {
  if (Array.isArray(obj)) return ARR;
  if (obj instanceof Map) return proto === Map.prototype ? MAP : SUBMAP;
  if (obj instanceof Set) return SET;
  if (ArrayBuffer.isView(obj)) return VIEW;
  if (obj instanceof RegExp) return RE;
  if (obj instanceof Date || obj instanceof ArrayBuffer) return LEAF;
  if (typeof SharedArrayBuffer === 'function' && obj instanceof SharedArrayBuffer) return SAB;
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean || obj instanceof BigInt) return BOX;
  const host = hosts.find((name) => typeof globalThis[name as 'Blob'] === 'function' && obj instanceof globalThis[name as 'Blob']);
  if (host === 'Blob' || host === 'File') {
    return `a ${host} cannot go into the byte form (its contents cannot be read synchronously): await ` +
      `${host.toLowerCase()}.arrayBuffer() and send the bytes, or send it in the structured-clone form`;
  }
  return host ? `a ${host} cannot go into the byte form: send the data it holds, or use the structured-clone form` : OBJ;
}

function boxRecipe(box: object): unknown[] {
  if (box instanceof Number) {
    const value = Number.prototype.valueOf.call(box);
    return ['b', Object.is(value, -0) ? 'z' : 'n', value];
  }
  if (box instanceof String) return ['b', 's', safe(String.prototype.valueOf.call(box))];
  if (box instanceof Boolean) return ['b', 'b', Boolean.prototype.valueOf.call(box)];
  return ['b', 'i', BigInt.prototype.valueOf.call(box)];
}

/** The repairs a byte form of `env` needs; `null` when msgpackr carries it as it is. */
function plan(env: Envelope): { ops: unknown[]; recipes: unknown[]; elide: Set<object> } | null {
  const ops: unknown[] = [];
  const recipes: unknown[] = [];
  const elide = new Set<object>();
  const seen = new Map<object, number>(); // its recipe, or -1
  const stack: unknown[] = [env, OBJ, Object.keys(env)]; // triples: container, kind, keys or items
  seen.set(env, -1);
  const recipe = (obj: object, made: unknown[], items?: unknown[]): number => {
    if (items) stack.push(items, ARR, null);
    seen.set(obj, recipes.length);
    return recipes.push(made) - 1;
  };
  const first = (obj: object): number => {
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
        if (kind !== MAP) elide.add(obj);
        return recipe(obj, [kind === SET ? 's' : 'm', items], items);
      }
    } else if (kind === RE) {
      const { lastIndex } = obj as RegExp;
      if (typeof lastIndex === 'number' && lastIndex !== 0) ops.push(LAST_INDEX, obj, lastIndex);
    } else if (kind === VIEW) {
      const view = obj as Uint8Array;
      if (!(view.buffer instanceof ArrayBuffer)) throw new SerializationError(SAB, pathOf(env, obj));
      elide.add(obj);
      const name = Object.prototype.toString.call(view).slice(8, -1);
      return recipe(obj, ['v', name, view.buffer, view.byteOffset, name === 'DataView' ? view.byteLength : view.length]);
    } else if (kind === BOX) {
      elide.add(obj);
      return recipe(obj, boxRecipe(obj));
    }
    seen.set(obj, -1);
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
  return ops.length === 0 && recipes.length === 0 ? null : { ops, recipes, elide };
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

function isStackOverflow(error: unknown): boolean {
  return error instanceof Error && (error.name === 'InternalError' || (error instanceof RangeError && /call stack/i.test(error.message)));
}

/** The byte form of an envelope `serialize` built: a fresh, tight Uint8Array (its own ArrayBuffer). */
export function toBytes(env: Envelope): Uint8Array {
  const { packr } = codecs();
  const repairs = plan(env);
  let packed: Uint8Array;
  const outer = eliding; // a getter may serialize while msgpackr packs
  eliding = repairs && repairs.elide.size > 0 ? repairs.elide : null;
  try {
    packed = packr.pack(repairs ? [env, repairs.ops, repairs.recipes] : [env]);
  } catch (error) {
    codec = { packr: new Packr(OPTIONS), unpackr: codec!.unpackr }; // the next call starts from a clean packer
    throw isStackOverflow(error)
      ? new SerializationError('the value is nested too deeply for the byte form (msgpackr recurses per level): ' +
        'flatten it, or send it in the structured-clone form', 'root', error)
      : new SerializationError('msgpackr could not write the value', 'root', error);
  } finally {
    eliding = outer;
  }
  const out = new Uint8Array(HEADER + packed.length);
  out.set(MAGIC);
  out[MAGIC.length] = BYTES_VERSION;
  out.set(packed, HEADER);
  return out;
}

// ── reading ─────────────────────────────────────────────────────────────────────────────────

function bad(message: string, path = 'bytes', cause?: unknown): SerializationError {
  return new SerializationError(`cannot deserialize: ${message}`, path, cause);
}

const isIndex = (value: unknown, limit: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limit;

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
const viewNames = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView'];

/** A recipe's object: complete for views and boxes, an empty shell for the rest (filled later). */
function build(recipe: unknown, path: string): object {
  const [tag, a, b, c, d] = Array.isArray(recipe) ? (recipe as unknown[]) : [];
  if (tag === 'v') {
    const View = viewNames.includes(a as string) ? (globalThis as Record<string, unknown>)[a as string] : undefined;
    if (typeof View !== 'function') throw bad(`unknown view class '${String(a)}' (this engine may not have it)`, path);
    if (!(b instanceof ArrayBuffer) || !isIndex(c, b.byteLength) || !isIndex(d, b.byteLength)) throw bad('a view recipe is malformed', path);
    try {
      return new (View as new (...args: unknown[]) => object)(b, c, d);
    } catch (error) {
      throw bad('a view recipe does not fit its buffer', path, error);
    }
  }
  if (tag === 'b' && (a === 'z' || ({ n: 'number', s: 'string', b: 'boolean', i: 'bigint' } as Record<string, unknown>)[a as string] === typeof b)) {
    return Object(a === 'z' ? -0 : b) as object;
  }
  if (tag === 'b' && a === 's') return Object(text(b, path)) as object;
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
    if (keys) define(target, keys[list[i] as number]!, list[i + 1]);
    else items[list[i] as number] = list[i + 1];
  }
  if (keys) return;
  (target as Set<unknown>).clear();
  if (isMap) for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  else for (const item of items) (target as Set<unknown>).add(item);
}

/** Apply the repairs `plan` listed, in place. */
function repair(ops: unknown, recipes: unknown): void {
  if (!Array.isArray(ops) || !Array.isArray(recipes)) throw bad('the repair tables are malformed');
  const made = recipes.map((recipe, i) => build(recipe, `bytes.recipes[${i}]`));
  const grouped = new Map<object, unknown[]>();
  const holes: unknown[] = [];
  for (let i = 0; i < ops.length;) {
    const [op, target, slot, extra] = [ops[i], ops[i + 1], ops[i + 2], ops[i + 3]];
    const path = `bytes.ops[${i}]`;
    i += op === NEG_ZERO || op === LAST_INDEX ? 3 : 4;
    if (typeof target !== 'object' || target === null) throw bad('a repair names no object', path);
    let value: unknown;
    if (op === NEG_ZERO) value = -0;
    else if (op === STRING) value = text(extra, path);
    else if (op === SWAP && isIndex(extra, made.length - 1)) value = made[extra];
    else if (op === HOLES) {
      holes.push(target, slot, extra);
      continue;
    } else if (op === LAST_INDEX && target instanceof RegExp && isIndex(slot, 2 ** 53)) {
      target.lastIndex = slot;
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
    else if (tag === 'o') a.forEach((key, i) => define(shell, text(key, `bytes.recipes[${n}]`), b[i]));
  });
  for (let i = 0; i < holes.length; i += 3) {
    const [array, start, end] = [holes[i], holes[i + 1], holes[i + 2]];
    if (!Array.isArray(array) || !isIndex(end, array.length) || !isIndex(start, (end as number) - 1)) throw bad('a hole repair is malformed', 'bytes.ops');
    for (let j = start; j < end; j++) delete array[j];
  }
}

/**
 * The envelope inside a byte form `toBytes` wrote: header checked, msgpackr read, repairs applied
 * in place; `restore` checks and rebuilds it from there. Never evaluates code.
 */
export function fromBytes(bytes: Uint8Array): unknown {
  if (bytes.length < HEADER || MAGIC.some((byte, i) => bytes[i] !== byte)) throw bad('not a cucumber byte form (the magic bytes are missing)');
  if (bytes[MAGIC.length] !== BYTES_VERSION) {
    throw bad(`byte form version ${bytes[MAGIC.length]} is not supported (this build reads version ${BYTES_VERSION})`);
  }
  let body = bytes.subarray(HEADER);
  if (!(body.buffer instanceof ArrayBuffer)) body = body.slice(); // shared memory: read a stable copy
  let decoded: unknown;
  const outer = decoding;
  decoding = true;
  try {
    decoded = codecs().unpackr.unpack(body);
  } catch (error) {
    throw bad(isStackOverflow(error) ? 'the value is nested too deeply to read' : 'the bytes are truncated or corrupt', 'bytes', error);
  } finally {
    decoding = outer;
  }
  if (!Array.isArray(decoded) || (decoded.length !== 1 && decoded.length !== 3)) throw bad('the bytes hold no envelope');
  if (decoded.length === 3) repair(decoded[1], decoded[2]);
  return decoded[0];
}
