/**
 * What the byte form's writers (the one-pass encoder in bytes-encode.ts, the general plan in
 * bytes-plan.ts) and its reader share: the frame, the repair op codes, the extension records,
 * what an object is (its node kind, kinds.ts) or why the byte form refuses it, and the string check.
 */
import { SerializationError } from '../errors.ts';
import {
  byteLengthOf, isArrayBuffer, isDetached, regexpParts, timeOf, unbox, viewName, viewParts, viewProblem,
} from './brands.ts';
import { hostClassOf, structuralKind } from './classify.ts';
import { DATE, HOST, MAP, PORT, SET, SHARED_BUFFER, type Kind } from './kinds.ts';
import { DETACHED_REASON, OUT_OF_BOUNDS_REASON } from './walk.ts';

/**
 * Repair op codes: `NEG_ZERO parent slot`, `STRING parent slot units`, `SWAP parent slot recipe`,
 * `HOLES array from to`, `LINK parent slot object` (an object written apart, see bytes-encode.ts).
 */
export const NEG_ZERO = 1, STRING = 2, SWAP = 3, HOLES = 4, LINK = 5;

/**
 * The msgpackr extension type of cucumber's records. What follows the tag is one of: a number `n`
 * (an ArrayBuffer: the next `n` bytes of the blobs), null (the shell of an object a recipe
 * rebuilds), `[viewCode, buffer, byteOffset, length]` (a typed array or DataView), `[tag, value]`
 * or `['z']` (a boxed primitive; 'z' is `Object(-0)`), `['u', codeUnits]` (a string UTF-8 cannot
 * carry), `['r', source, flags]` (a RegExp msgpackr's writer would mangle; `source` may be code
 * units) or `['d', time]` (a Date it would not recognise).
 */
export const EXT_TYPE = 0x63;

/**
 * What the extension writes for one object: a record (an array), an ArrayBuffer for an ArrayBuffer
 * (its bytes as they were planned, see `snapshot`; they go after the msgpackr body) or
 * {@link ELIDED} for an object a recipe rebuilds (written as a bare marker, so its contents are not
 * written twice).
 */
export type Special = unknown[] | ArrayBuffer | typeof ELIDED;
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

const isWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
/**
 * No lone surrogate in `s`. The native check answers a one-byte string without scanning it (most
 * strings are), and costs less per string than any scan here.
 */
export const wellFormed: (s: string) => boolean = typeof isWellFormed === 'function'
  ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
  : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/**
 * msgpackr reads `s` back as it was written in UTF-8: no lone surrogate, and no leading U+FEFF
 * (msgpackr decodes long strings with a default TextDecoder, which drops a leading BOM).
 */
export const fitsUtf8 = (s: string): boolean => s.charCodeAt(0) !== 0xfeff && wellFormed(s);

/** The UTF-16 code units of `s` (what a string UTF-8 cannot carry travels as). */
export const units = (s: string): Uint16Array => Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
/** `s`, or its code units when UTF-8 would not carry it. */
export const safe = (s: string): string | Uint16Array => (fitsUtf8(s) ? s : units(s));

/** Why a SharedArrayBuffer (or a view over one) cannot go into bytes. */
export const SAB_REASON = 'a SharedArrayBuffer cannot go into the byte form (bytes are a copy; it would stop being shared): ' +
  'send it in the structured-clone form (serialize without { bytes: true }), or copy it into an ArrayBuffer';
export { DETACHED_REASON };

/** What the byte form writes for `obj`: its node kind, or (a string) why the byte form refuses it. */
export type BytesKind = Kind | string;

/**
 * What `obj` is, as the byte form writes it (its structural kind, classify.ts), or why the byte form
 * refuses it. A Map the byte form must rebuild from a recipe (a subclass, a null prototype) is a
 * MAP all the same: see {@link rebuilt}.
 */
export function kindOf(obj: object): BytesKind {
  const kind = structuralKind(obj);
  return kind === SHARED_BUFFER || kind === PORT || kind === HOST ? refusedKind(kind, obj) : kind;
}

/** A Map or Set msgpackr's writer would not recognise (a Map subclass; a null prototype): the general path rebuilds it. */
export function rebuilt(obj: object, kind: BytesKind): boolean {
  const proto = Object.getPrototypeOf(obj) as object | null;
  return kind === MAP ? proto !== Map.prototype : kind === SET && proto === null;
}

/** Why the byte form refuses an object of `kind` (SHARED_BUFFER, PORT or HOST). */
function refusedKind(kind: Kind, obj: object): string {
  if (kind === SHARED_BUFFER) return SAB_REASON;
  if (kind === PORT) return 'a MessagePort cannot go into the byte form: send it in the structured-clone form';
  const host = hostClassOf(obj)?.name ?? 'host object';
  if (host === 'Blob' || host === 'File') {
    return `a ${host} cannot go into the byte form (its contents cannot be read synchronously): await ` +
      `${host.toLowerCase()}.arrayBuffer() and send the bytes, or send it in the structured-clone form`;
  }
  return `a ${host} cannot go into the byte form: send the data it holds, or use the structured-clone form`;
}

/**
 * The record of a view (VIEW kind), read from its slots (so a view of another realm or with a null
 * prototype is one too), or why it cannot go into bytes.
 */
export function viewRecord(view: object): unknown[] | string {
  const name = viewName(view)!;
  const code = VIEW_NAMES.indexOf(name);
  if (code < 0) return `a ${name} cannot go into the byte form: copy it into a standard typed array`;
  const problem = viewProblem(view);
  if (problem !== undefined) return problem === 'detached' ? DETACHED_REASON : OUT_OF_BOUNDS_REASON;
  const [buffer, byteOffset, length] = viewParts(view);
  if (!isArrayBuffer(buffer)) return SAB_REASON;
  return [code, buffer, byteOffset, length];
}

/** Whether a view record stays within `bytes` bytes of its buffer (a getter may have resized it since). */
export function viewFits(record: unknown[], bytes: number): boolean {
  const [code, , byteOffset, length] = record as [number, ArrayBuffer, number, number];
  const size = (globalThis as unknown as Record<string, { BYTES_PER_ELEMENT?: number } | undefined>)[VIEW_NAMES[code]!]?.BYTES_PER_ELEMENT ?? 1;
  return byteOffset + length * size <= bytes;
}

/** A boxed primitive (BOXED kind): its tag and primitive. */
export function boxOf(box: object): [string, unknown] {
  return unbox(box)!;
}

/** The record of a boxed primitive as the general path writes it: `['z']` (-0) or `[tag, value]`. */
export function boxRecord(box: object): unknown[] {
  const [tag, value] = boxOf(box);
  if (Object.is(value, -0)) return ['z'];
  return [tag, typeof value === 'string' ? safe(value) : value];
}

/**
 * The record the general path writes for a RegExp or Date (REGEXP or DATE kind) msgpackr's writer
 * would get wrong (a source UTF-8 cannot carry, a null prototype), or null when msgpackr writes it.
 */
export function leafRecord(obj: object, kind: BytesKind): unknown[] | null {
  const orphan = Object.getPrototypeOf(obj) === null;
  if (kind === DATE) return orphan ? ['d', timeOf(obj)] : null;
  const [source, flags] = regexpParts(obj);
  return orphan || !fitsUtf8(source) ? ['r', safe(source), flags] : null;
}

// ── the frame ───────────────────────────────────────────────────────────────────────────────

/** First bytes of every byte form ('SKCU'), followed by {@link BYTES_VERSION}. */
export const MAGIC: readonly number[] = [0x53, 0x4b, 0x43, 0x55];
/** Version of the byte form this build writes (3: links, RegExp and Date records; it reads 2 as well). */
export const BYTES_VERSION = 3;
/** Versions of the byte form this build reads. */
export const READS_VERSIONS: readonly number[] = [2, 3];
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
  for (const blob of blobs) {
    // A blob is an ArrayBuffer of fixed length or a copy (see `snapshot`): only a transfer changes it.
    if (isDetached(blob)) {
      throw new SerializationError('an ArrayBuffer was detached (transferred) while the value was being written: ' +
        'do not transfer it from a getter or toState()', 'root');
    }
    total += byteLengthOf(blob);
  }
  if (total > 0xffffffff) throw new SerializationError('the ArrayBuffers hold more than 4 GiB: send them in parts', 'root');
  const out = allocate(HEADER + body.length + total);
  out.set(MAGIC);
  out[MAGIC.length] = BYTES_VERSION;
  out.set(body, HEADER);
  if (blobLayout) new DataView(out.buffer).setUint32(HEADER + 2, total);
  let at = HEADER + body.length;
  for (const blob of blobs) {
    const bytes = new Uint8Array(blob);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}
