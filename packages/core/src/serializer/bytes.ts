/**
 * The byte form: `MAGIC VERSION`, then a msgpackr body (`structuredClone: true`: shared references
 * and cycles kept) holding `[envelope]`, `[envelope, ops, recipes]` or, when the value holds
 * ArrayBuffers, `[blobBytes, envelope, ops, recipes]` followed by the buffers' bytes (blobs,
 * copied once, straight into the result). The envelope is the one `serialize` builds, so its side
 * tables keep their identity. msgpackr reads every body; two writers make them:
 * - bytes-encode.ts writes most values in one pass, validating them as `fastWalk` does and
 *   writing msgpackr's format itself, -0 and lone surrogates included, and nesting of any depth
 *   (what a reader might not have the stack for is written apart, in the envelope's `links`);
 * - the rest (values to substitute, to rebuild from a recipe, or to refuse with their path) go
 *   through `serialize`'s envelope, a plan of repairs (bytes-plan.ts) and msgpackr's writer.
 * Repairs are applied in place before `restore`, by slot (n-th key of an object, index of an
 * array, position in a Map's flat entries or a Set): links put in place, -0 and strings UTF-8
 * does not carry (lone surrogates, which msgpackr's writer turns into U+FFFD, and a leading BOM,
 * which its reader drops) put back, array holes (written as `undefined`) deleted, and what
 * msgpackr mangles (Map subclasses, null-prototype Maps and Sets, Maps/Sets with such string
 * keys, objects with an own `__proto__` key or such keys) rebuilt from a recipe and swapped into
 * every slot that held it. Typed arrays and DataViews (over their ArrayBuffer, offset and length,
 * so views keep sharing a buffer; subclasses, Node Buffers and Float16Array arrive as the base
 * class, as structured clone gives them), boxed primitives, ArrayBuffers, such strings and the
 * RegExps and Dates msgpackr's writer would get wrong are cucumber extension records (type
 * {@link EXT_TYPE}, see bytes-read.ts); msgpackr's writer uses that extension only while cucumber
 * packs. Built-ins with a null prototype keep their data and their null prototype, as in the
 * structured-clone form.
 * Not carried: own non-index properties of arrays (RegExp match arrays lose index/input/groups)
 * and ArrayBuffer resizability (a resizable one travels as its bytes when written). Refused with
 * their path: SharedArrayBuffer (and views over one), detached ArrayBuffers, views out of bounds of
 * a shrunk resizable ArrayBuffer, Blob, File and other host objects, and on the general path nesting
 * a reader might not have the stack for (bytes-depth.ts). Paths come from the serializer's one path
 * finder (`locate`, walk.ts), over the value as the user gave it. Reading never evaluates payload code: msgpackr compiles record readers with
 * `new Function` from JSON-escaped key names only (its interpreter takes over where a CSP forbids
 * that).
 */
// 'msgpackr/pack' (Packr also reads) loads without msgpackr's stream module and Node addon: a
// worker starts about 10 ms sooner, and the addon did not read these payloads faster.
import { Packr, addExtension } from 'msgpackr/pack';
import type { Options } from 'msgpackr';
import { SerializationError } from '../errors.ts';
import { byteLengthOf } from './brands.ts';
import type { Envelope } from './protocol.ts';
import { locate, type WalkContext } from './walk.ts';
import { BYTES_VERSION, ELIDED, EXT_TYPE, HEADER, MAGIC, READS_VERSIONS, finish, type Repairs, type Special } from './bytes-kinds.ts';
import { encode } from './bytes-encode.ts';
import { plan } from './bytes-plan.ts';
import { bad, readRecord, repair, type BlobSource } from './bytes-read.ts';

export { BYTES_VERSION, EXT_TYPE, MAGIC };
/** The blob layout's body starts with these: a 4-element array, then the blobs' byte count as a uint 32. */
const FIXARRAY_4 = 0x94, UINT_32 = 0xce;
/** Written as the blob count's placeholder (msgpackr gives it the uint 32 form), set by `finish`. */
const BLOB_PLACEHOLDER = 0xffffffff;

const OPTIONS: Options = { structuredClone: true, useToJSON: false, copyBuffers: true, mapsAsObjects: false, int64AsType: 'bigint' };
let codec: { packr: Packr; unpackr: Packr } | null = null;
/** While cucumber packs: how its special objects are written, and the blobs in the order written. */
let writing: { special: Map<object, Special>; blobs: ArrayBuffer[] } | null = null;
/** While cucumber reads: where the blobs are. */
let reading: BlobSource | null = null;

/** What cucumber's extension writes: only while cucumber packs (other msgpackr users pay one call per object). */
class Recast {
  static [Symbol.hasInstance](value: unknown): boolean {
    return writing !== null && writing.special.has(value as object);
  }
}

function codecs(): { packr: Packr; unpackr: Packr } {
  if (codec === null) {
    addExtension({
      Class: Recast,
      type: EXT_TYPE,
      write(value: object): unknown {
        const record = writing!.special.get(value);
        if (record === ELIDED || Array.isArray(record)) return record;
        writing!.blobs.push(record!); // its bytes as planned: a getter may resize the buffer meanwhile
        return byteLengthOf(record!);
      },
      read(data: unknown): unknown {
        if (reading === null) throw new Error(`Unknown extension type ${EXT_TYPE}`);
        return readRecord(data, reading);
      },
    });
    // msgpackr's error extension looks names up through Object.prototype ('valueOf' hands out its
    // own table). Same behaviour with own lookups; refused in cucumber bytes, which never use it.
    const table: Record<string, unknown> = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError };
    addExtension({
      type: 0x65,
      read(data: unknown): unknown {
        if (reading !== null) throw new TypeError('cucumber bytes never hold msgpackr error extensions');
        const [name, message, cause] = Array.isArray(data) ? data : [];
        if (typeof name === 'string' && Object.hasOwn(table, name)) return (table[name] as (m: unknown, o: object) => Error)(message, { cause });
        return Object.assign(new Error(message as string, { cause }), { name });
      },
    });
    codec = { packr: new Packr(OPTIONS), unpackr: new Packr(OPTIONS) };
  }
  return codec;
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof Error && (error.name === 'InternalError' || (error instanceof RangeError && /call stack/i.test(error.message)));
}

/**
 * The byte form of `ctx.root`: a fresh, tight Uint8Array (its own ArrayBuffer). Written in one
 * pass when it can be (bytes-encode.ts); otherwise `general` builds the envelope (as for the
 * structured-clone form), the general plan lists its repairs and msgpackr writes it.
 */
export function toBytes(ctx: WalkContext, general: (ctx: WalkContext) => Envelope): Uint8Array {
  const fast = encode(ctx);
  if (fast !== null) return fast;
  const envelope = general(ctx);
  try {
    return write(envelope, plan(envelope, (obj) => locate(ctx, ctx.originals.get(obj) ?? obj)));
  } catch (error) {
    if (error instanceof SerializationError) throw error;
    throw new SerializationError('reading the value threw', 'root', error); // a getter, or an object without the slots its class has
  }
}

function write(env: Envelope, repairs: Repairs): Uint8Array {
  const { packr } = codecs();
  const { ops, recipes, special } = repairs;
  const repaired = ops.length > 0 || recipes.length > 0;
  const outer = repairs.blobs ? [BLOB_PLACEHOLDER, env, ops, recipes] : repaired ? [env, ops, recipes] : [env];
  const blobs: ArrayBuffer[] = [];
  let packed: Uint8Array;
  const saved = writing; // a getter may serialize while msgpackr packs
  writing = special.size > 0 ? { special, blobs } : null;
  try {
    packed = packr.pack(outer);
  } catch (error) {
    codec = { packr: new Packr(OPTIONS), unpackr: codec!.unpackr }; // the next call starts from a clean packer
    throw isStackOverflow(error)
      ? new SerializationError('the value is nested too deeply for the byte form (msgpackr recurses per level): ' +
        'flatten it, or send it in the structured-clone form', 'root', error)
      : new SerializationError('msgpackr could not write the value', 'root', error);
  } finally {
    writing = saved;
  }
  return finish(packed, blobs, repairs.blobs);
}

/**
 * The envelope inside a byte form `toBytes` wrote: header checked, msgpackr read, repairs applied
 * in place; `restore` checks and rebuilds it from there. Never evaluates code.
 */
export function fromBytes(bytes: Uint8Array): unknown {
  if (bytes.length < HEADER || MAGIC.some((byte, i) => bytes[i] !== byte)) throw bad('not a cucumber byte form (the magic bytes are missing)');
  if (!READS_VERSIONS.includes(bytes[MAGIC.length]!)) {
    throw bad(`byte form version ${bytes[MAGIC.length]} is not supported (this build reads versions ${READS_VERSIONS.join(' and ')})`);
  }
  const source = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice(); // shared memory: read a stable copy
  let end = source.length;
  let blobBytes = -1;
  if (source[HEADER] === FIXARRAY_4 && source[HEADER + 1] === UINT_32 && end >= HEADER + 6) {
    blobBytes = new DataView(source.buffer, source.byteOffset + HEADER + 2, 4).getUint32(0);
    if (blobBytes > end - HEADER - 6) throw bad('the bytes are truncated or corrupt (the blobs run past the end)');
    end -= blobBytes;
  }
  const blobs: BlobSource = { source, cursor: end };
  let decoded: unknown;
  const outer = reading;
  reading = blobs;
  try {
    decoded = codecs().unpackr.unpack(source.subarray(HEADER, end));
  } catch (error) {
    throw bad(isStackOverflow(error) ? 'the value is nested too deeply to read' : 'the bytes are truncated or corrupt', 'bytes', error);
  } finally {
    reading = outer;
  }
  if (!Array.isArray(decoded)) throw bad('the bytes hold no envelope');
  if (blobBytes >= 0) {
    if (decoded.length !== 4 || decoded[0] !== blobBytes || blobs.cursor !== source.length) throw bad('the blobs do not add up');
    decoded = decoded.slice(1);
  }
  const parts = decoded as unknown[];
  if (parts.length !== 1 && parts.length !== 3) throw bad('the bytes hold no envelope');
  const links = (parts[0] as { links?: unknown } | null)?.links;
  if (links !== undefined) repair(links, []);
  if (parts.length === 3) repair(parts[1], parts[2]);
  return parts[0];
}
