/**
 * What the byte form's writers (the one-pass encoder in bytes-encode.ts, the general plan in
 * bytes-plan.ts) and its reader share: the frame, the repair op codes, the extension records,
 * how an object is written (its kind, decided once per prototype) and the string check.
 */
import { SerializationError } from '../errors.ts';

/** Repair op codes: `NEG_ZERO parent slot`, `STRING parent slot units`, `SWAP parent slot recipe`, `HOLES array from to`. */
export const NEG_ZERO = 1, STRING = 2, SWAP = 3, HOLES = 4;

/** Kinds of object, as the byte form writes them (a string: why it cannot go into bytes). */
export const OBJ = 0, ARR = 1, MAP = 2, SUBMAP = 3, SET = 4, LEAF = 5, RE = 6, VIEW = 7, BOX = 8, BUFFER = 9;
export type Kind = number | string;

/**
 * The msgpackr extension type of cucumber's records. What follows the tag is one of: a number `n`
 * (an ArrayBuffer: the next `n` bytes of the blobs), null (the shell of an object a recipe
 * rebuilds), `[viewCode, buffer, byteOffset, length]` (a typed array or DataView), `[tag, value]`
 * or `['z']` (a boxed primitive; 'z' is `Object(-0)`), `['u', codeUnits]` (a string UTF-8 cannot
 * carry).
 */
export const EXT_TYPE = 0x63;

/**
 * What the extension writes for one object: a view or box record (an array), {@link BLOB} for an
 * ArrayBuffer (its bytes go after the msgpackr body) or {@link ELIDED} for an object a recipe
 * rebuilds (written as a bare marker, so its contents are not written twice).
 */
export type Special = unknown[] | typeof BLOB | typeof ELIDED;
export const BLOB = 0;
export const ELIDED = null;

/** The repairs one byte form carries, and how its special objects are written. */
export interface Repairs {
  readonly ops: unknown[];
  readonly recipes: unknown[];
  readonly special: Map<object, Special>;
  /** Some ArrayBuffer is written as a blob. */
  readonly blobs: boolean;
}

/** View classes by their code in a view record (`[code, buffer, byteOffset, length]`). */
export const VIEW_NAMES: readonly string[] = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView'];
const DATA_VIEW = VIEW_NAMES.length - 1;

const isWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
/**
 * No lone surrogate in `s`. The native check answers a one-byte string without scanning it (most
 * strings are), and costs less per string than any scan here.
 */
export const wellFormed: (s: string) => boolean = typeof isWellFormed === 'function'
  ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
  : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** The UTF-16 code units of `s` (what a string with lone surrogates travels as). */
export const units = (s: string): Uint16Array => Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
/** `s`, or its code units when UTF-8 would not carry it. */
export const safe = (s: string): string | Uint16Array => (wellFormed(s) ? s : units(s));

/** Why a SharedArrayBuffer (or a view over one) cannot go into bytes. */
export const SAB_REASON = 'a SharedArrayBuffer cannot go into the byte form (bytes are a copy; it would stop being shared): ' +
  'send it in the structured-clone form (serialize without { bytes: true }), or copy it into an ArrayBuffer';
const hosts = ['Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMPoint', 'DOMPointReadOnly',
  'DOMRect', 'DOMRectReadOnly', 'DOMQuad', 'DOMMatrix', 'DOMMatrixReadOnly'];
const kinds = new WeakMap<object, Kind>();
const viewCodes = new WeakMap<object, number>();

/** How the byte form writes `obj` (decided once per prototype). */
export function kindOf(obj: object): Kind {
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
  if (ArrayBuffer.isView(obj)) {
    const name = Object.prototype.toString.call(obj).slice(8, -1);
    const code = VIEW_NAMES.indexOf(name);
    if (code < 0) return `a ${name} cannot go into the byte form: copy it into a standard typed array`;
    viewCodes.set(proto, code);
    return VIEW;
  }
  if (obj instanceof RegExp) return RE;
  if (obj instanceof ArrayBuffer) return BUFFER;
  if (obj instanceof Date) return LEAF;
  if (typeof SharedArrayBuffer === 'function' && obj instanceof SharedArrayBuffer) return SAB_REASON;
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean || obj instanceof BigInt) return BOX;
  const host = hosts.find((name) => typeof globalThis[name as 'Blob'] === 'function' && obj instanceof globalThis[name as 'Blob']);
  if (host === 'Blob' || host === 'File') {
    return `a ${host} cannot go into the byte form (its contents cannot be read synchronously): await ` +
      `${host.toLowerCase()}.arrayBuffer() and send the bytes, or send it in the structured-clone form`;
  }
  return host ? `a ${host} cannot go into the byte form: send the data it holds, or use the structured-clone form` : OBJ;
}

/** The record of a view (VIEW kind), or null when it sits on a SharedArrayBuffer. */
export function viewRecord(view: ArrayBufferView): unknown[] | null {
  const buffer = view.buffer;
  if (!(buffer instanceof ArrayBuffer)) return null;
  const code = viewCodes.get(Object.getPrototypeOf(view) as object)!;
  return [code, buffer, view.byteOffset, code === DATA_VIEW ? view.byteLength : (view as Uint8Array).length];
}

/** A boxed primitive (BOX kind): its tag and primitive. */
export function boxOf(box: object): [string, unknown] {
  if (box instanceof Number) return ['n', Number.prototype.valueOf.call(box)];
  if (box instanceof String) return ['s', String.prototype.valueOf.call(box)];
  if (box instanceof Boolean) return ['b', Boolean.prototype.valueOf.call(box)];
  return ['i', BigInt.prototype.valueOf.call(box)];
}

/** The record of a boxed primitive as the general path writes it: `['z']` (-0) or `[tag, value]`. */
export function boxRecord(box: object): unknown[] {
  const [tag, value] = boxOf(box);
  if (Object.is(value, -0)) return ['z'];
  return [tag, typeof value === 'string' ? safe(value) : value];
}

// ── the frame ───────────────────────────────────────────────────────────────────────────────

/** First bytes of every byte form ('SKCU'), followed by {@link BYTES_VERSION}. */
export const MAGIC: readonly number[] = [0x53, 0x4b, 0x43, 0x55];
/** Version of the byte form this build writes and reads. */
export const BYTES_VERSION = 2;
/** Bytes before the msgpackr body. */
export const HEADER = MAGIC.length + 1;

/** A fresh, tight Uint8Array of `length` bytes that the caller fills completely (so it may start uninitialized). */
function allocate(length: number): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow?(size: number): Uint8Array } }).Buffer;
  if (typeof NodeBuffer?.allocUnsafeSlow === 'function') {
    const buffer = NodeBuffer.allocUnsafeSlow(length);
    if (buffer.byteOffset === 0 && buffer.buffer.byteLength === length) return new Uint8Array(buffer.buffer, 0, length);
  }
  return new Uint8Array(length);
}

/**
 * The byte form around a msgpackr body: header, body, then the blobs' bytes in the order the body
 * lists them. With `blobLayout`, the body starts with `0x94 0xce` and room for their byte count.
 */
export function finish(body: Uint8Array, blobs: readonly ArrayBuffer[], blobLayout: boolean): Uint8Array {
  let total = 0;
  for (const blob of blobs) total += blob.byteLength;
  if (total > 0xffffffff) throw new SerializationError('the ArrayBuffers hold more than 4 GiB: send them in parts', 'root');
  const out = allocate(HEADER + body.length + total);
  out.set(MAGIC);
  out[MAGIC.length] = BYTES_VERSION;
  out.set(body, HEADER);
  if (blobLayout) new DataView(out.buffer).setUint32(HEADER + 2, total);
  let at = HEADER + body.length;
  for (const blob of blobs) {
    out.set(new Uint8Array(blob), at);
    at += blob.byteLength;
  }
  return out;
}
