/**
 * The byte form's fast path: ONE pass over the value that validates and classifies it as
 * `fastWalk` does (the envelope is the one `serialize` would build) and writes it in msgpackr's
 * format (`structuredClone: true`: records, ids and pointers for shared objects, its Set, Date,
 * RegExp and undefined extensions), which msgpackr reads. What msgpackr's own writer would lose
 * is written so that nothing needs repairing: -0 as a float, lone-surrogate strings, views,
 * boxes and ArrayBuffers as cucumber records (only array holes are left to a repair).
 *
 * It gives up (returns null) on anything unusual: a value to substitute, one that cannot be
 * sent, a Map subclass, an own `__proto__` key, a BigInt wider than 64 bits, a detached
 * ArrayBuffer, a getter that throws. The general path (bytes.ts) then starts over and reports
 * errors exactly as it always has.
 *
 * Nesting of any depth: msgpackr reads recursively, so an object written where a reader might not
 * have the stack left to read it (bytes-depth.ts, counting every level as if it carried an id) is
 * written as an empty array instead, and after the root, in the envelope's `links`, as
 * `LINK parent slot object` (a repair op, see bytes-read.ts), near the top.
 */
import { DENSE_LIMIT, carriedLastIndex, type Classify } from './classify.ts';
import { FORMAT, VERSION } from './protocol.ts';
import { InstanceTable, integrityOf, type WalkContext } from './walk.ts';
import { byteLengthOf, isDetached, regexpParts, sizeOfMap, sizeOfSet, snapshot, timeOf } from './brands.ts';
import * as cost from './bytes-depth.ts';
import { EXT_TYPE, HOLES, LINK, boxOf, finish, viewFits, viewRecord } from './bytes-kinds.ts';
import { ARRAY, ARRAY_BUFFER, BOXED, DATE, MAP, OBJECT, REGEXP, SET, VIEW, isContainer, type Kind } from './kinds.ts';
import { GIVE_UP, MsgpackWriter, PREFIX, giveBack, takeScratch } from './bytes-writer.ts';

const ENVELOPE_KEYS = ['format', 'version', 'root', 'links', 'classes', 'instances', 'lastIndex', 'integrity'];
/** The most one level costs a reader (a record that defines its shape, or an extension, with an id). */
const LEVEL = cost.NEW_RECORD_STACK + cost.ID_STACK;
/** Past this, an object is linked rather than nested: room is left for it and for a leaf inside it (a view's buffer). */
const LINK_AT = cost.STACK_BUDGET - 2 * LEVEL;

const mapForEach = Map.prototype.forEach;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const setForEach = Set.prototype.forEach;

/** The byte form of `ctx.root`, or null when the general path must write it. */
export function encode(ctx: WalkContext): Uint8Array | null {
  const encoder = new Encoder(ctx.classify, takeScratch());
  try {
    return encoder.envelope(ctx.root);
  } catch {
    return null;
  } finally {
    giveBack(encoder.buf);
  }
}

/** The envelope of one value, classified and validated while it is written. */
class Encoder extends MsgpackWriter {
  private depth = 0;
  /** Stack a reader may use down to the object being written, if every level carried an id (bytes-depth.ts). */
  private worst = cost.BASE_STACK;
  /** The container being written at each depth, and the slot of the child being written (-1: no container a link can name). */
  private readonly parents: object[] = [];
  private slot = -1;
  /** Objects to write in `links`: flat triples `parent, slot, object`. */
  private readonly links: unknown[] = [];
  /** Fixed copies of the resizable ArrayBuffers written (see `snapshot`). */
  private readonly copies = new Map<object, ArrayBuffer>();
  private readonly table = new InstanceTable();
  private readonly lastIndex: unknown[] = [];
  private readonly integrity: unknown[] = [];
  private readonly ops: unknown[] = [];
  private readonly blobs: ArrayBuffer[] = [];
  private hasBlobs = false;
  /** Entries written so far of the Map or Set at each depth (a getter could change one while it is written). */
  private readonly counts: number[] = [];
  private readonly entry = (value: unknown, key: unknown): void => {
    const slot = 2 * this.counts[this.depth]!++; // slots of a Map: its flat entries
    this.slot = slot;
    this.value(key);
    this.slot = slot + 1;
    this.value(value);
  };
  private readonly item = (value: unknown): void => {
    this.slot = this.counts[this.depth]!++;
    this.value(value);
  };

  constructor(private readonly classify: Classify, buf: Uint8Array) {
    super(buf);
  }

  envelope(root: unknown): Uint8Array {
    this.recordHeader(ENVELOPE_KEYS);
    this.string(FORMAT);
    this.value(VERSION);
    this.value(root);
    this.writeLinks();
    const { lastIndex, integrity, ops } = this;
    const { classes, instances } = this.table;
    this.arrayHeader(classes.length);
    for (const id of classes) this.string(id);
    for (const table of [instances, lastIndex, integrity]) {
      this.arrayHeader(table.length);
      for (const item of table) this.value(item);
    }
    if (this.hasBlobs || ops.length > 0) {
      this.arrayHeader(ops.length);
      for (const item of ops) this.value(item);
      this.arrayHeader(0); // recipes: none here
    }
    this.insertIds();
    const buf = this.buf;
    let start = 0;
    if (this.hasBlobs) {
      buf[0] = 0x94;
      buf[1] = 0xce;
    } else {
      start = PREFIX - 1;
      buf[start] = ops.length > 0 ? 0x93 : 0x91;
    }
    return finish(buf.subarray(start, this.pos), this.blobs, this.hasBlobs);
  }

  /** The `links` (see the file's comment): writing one may link more, so its count goes in last. */
  private writeLinks(): void {
    const { links } = this;
    if (links.length === 0) {
      this.buf[this.pos++] = 0x90;
      return;
    }
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const at = this.pos;
    this.buf[at] = 0xdd; // array 32
    this.pos += 5;
    for (let i = 0; i < links.length; i += 3) {
      this.worst = cost.BASE_STACK + cost.ARRAY_STACK;
      this.slot = -1;
      this.value(LINK);
      this.value(links[i]); // written before: a pointer
      this.value(links[i + 1]);
      this.value(links[i + 2]);
    }
    this.view.setUint32(at + 1, (links.length / 3) * 4);
    this.slot = -1;
  }

  private value(value: unknown): void {
    if (this.pos > this.safeEnd) this.grow(16);
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'number':
        this.number(value);
        return;
      case 'object':
        if (value === null) this.buf[this.pos++] = 0xc0;
        else this.object(value);
        return;
      case 'boolean':
        this.buf[this.pos++] = value ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        this.tag(0);
        return;
      case 'bigint':
        this.bigint(value);
        return;
      default:
        throw GIVE_UP; // a function or symbol: substituted
    }
  }

  private object(obj: object): void {
    const known = this.written(obj);
    if (known >= 0) {
      this.pointer(known);
      return;
    }
    if (this.worst > LINK_AT && this.slot >= 0) {
      this.links.push(this.parents[this.depth], this.slot, obj);
      this.buf[this.pos++] = 0x90; // an empty array: unlike null, never equal to another in a Set or as a Map key
      return;
    }
    this.remember(obj);
    const info = this.classify(obj);
    if (isContainer(info.kind) && !Object.isExtensible(obj)) this.integrity.push(obj, integrityOf(obj));
    this.parents[++this.depth] = obj;
    const before = this.worst;
    switch (info.kind) {
      case OBJECT: {
        const keys = Object.keys(obj);
        this.enter(this.recordHeader(keys) ? cost.NEW_RECORD_STACK : cost.RECORD_STACK);
        for (let i = 0; i < keys.length; i++) {
          const descriptor = ownDescriptor(obj, keys[i]!);
          // An accessor: the general path reads it once (a getter that has run here would run again there).
          if (descriptor !== undefined && !('value' in descriptor)) throw GIVE_UP;
          this.slot = i;
          this.value(descriptor?.value);
        }
        break;
      }
      case ARRAY:
        this.enter(cost.ARRAY_STACK);
        this.array(obj as unknown[]);
        break;
      case MAP: {
        if (Object.getPrototypeOf(obj) !== Map.prototype) throw GIVE_UP; // a recipe: the general path
        this.enter(cost.ARRAY_STACK);
        const size = sizeOfMap(obj);
        this.mapHeader(size);
        this.counts[this.depth] = 0;
        mapForEach.call(obj as Map<unknown, unknown>, this.entry);
        if (this.counts[this.depth] !== size) throw GIVE_UP; // changed while written
        break;
      }
      case SET: {
        this.enter(cost.EXTENSION_STACK);
        const size = sizeOfSet(obj);
        this.tag(0x73);
        this.arrayHeader(size);
        this.counts[this.depth] = 0;
        setForEach.call(obj as Set<unknown>, this.item);
        if (this.counts[this.depth] !== size) throw GIVE_UP;
        break;
      }
      case DATE:
      case REGEXP:
      case VIEW:
      case ARRAY_BUFFER:
      case BOXED:
        this.enter(cost.EXTENSION_STACK);
        this.leaf(obj, info.kind);
        break;
      default:
        throw GIVE_UP; // substituted (ERROR, STATE, INTRINSIC), refused (UNSENDABLE, a MessagePort…) or shared memory
    }
    this.depth--;
    this.worst = before;
    this.table.note(obj, info.id, info.nullProto);
  }

  /** One more level of `weight` for the reader, and an id it may carry. */
  private enter(weight: number): void {
    this.worst += weight + cost.ID_STACK;
  }

  private array(array: unknown[]): void {
    const length = array.length;
    if (length > DENSE_LIMIT) throw GIVE_UP;
    this.arrayHeader(length);
    let hole = -1;
    for (let i = 0; i < length; i++) {
      const value = array[i];
      if (value === undefined && !(i in array)) {
        if (hole < 0) hole = i;
      } else if (hole >= 0) {
        this.ops.push(HOLES, array, hole, i);
        hole = -1;
      }
      this.slot = i;
      this.value(value);
    }
    if (hole >= 0) this.ops.push(HOLES, array, hole, length);
  }

  private leaf(obj: object, kind: Kind): void {
    if (this.pos + 32 > this.buf.length) this.grow(32);
    this.slot = -1; // what a record holds is no slot a link could fill
    if (kind === DATE) this.date(timeOf(obj));
    else if (kind === REGEXP) {
      const [source, flags] = regexpParts(obj);
      this.tag(0x78);
      this.arrayHeader(2);
      this.string(source);
      this.string(flags);
      const lastIndex = carriedLastIndex(obj);
      if (lastIndex !== 0) this.lastIndex.push(obj, lastIndex);
    } else if (kind === VIEW) {
      const record = viewRecord(obj);
      if (typeof record === 'string') throw GIVE_UP; // over a SharedArrayBuffer, detached…: refused by the general path
      this.tag(EXT_TYPE);
      this.arrayHeader(4);
      for (const item of record) this.value(item);
      const copy = this.copies.get(record[1] as object);
      if (copy !== undefined && !viewFits(record, copy.byteLength)) throw GIVE_UP; // resized since its buffer was written
    } else if (kind === ARRAY_BUFFER) {
      if (isDetached(obj)) throw GIVE_UP;
      const blob = snapshot(obj as ArrayBuffer);
      if (blob !== obj) this.copies.set(obj, blob);
      this.tag(EXT_TYPE);
      this.number(byteLengthOf(blob));
      this.blobs.push(blob);
      this.hasBlobs = true;
    } else {
      this.tag(EXT_TYPE);
      const [tag, box] = boxOf(obj);
      if (Object.is(box, -0)) {
        this.arrayHeader(1);
        this.string('z');
      } else {
        this.arrayHeader(2);
        this.string(tag);
        this.value(box);
      }
    }
  }
}
