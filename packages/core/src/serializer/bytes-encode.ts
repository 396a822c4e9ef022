/**
 * The byte form's fast path: ONE pass over the value that validates and classifies it as
 * `fastWalk` does (the envelope is the one `serialize` would build) and writes it in msgpackr's
 * format (`structuredClone: true`: records, ids and pointers for shared objects, its Set, Date,
 * RegExp and undefined extensions), which msgpackr reads. What msgpackr's own writer would lose
 * is written so that nothing needs repairing: -0 as a float, lone-surrogate strings, views,
 * boxes and ArrayBuffers as cucumber records (only array holes are left to a repair).
 *
 * It gives up (returns null) on anything unusual: a value to substitute, one that cannot be
 * sent, a Map subclass, an own `__proto__` key, a BigInt wider than 64 bits, deep nesting, a
 * getter that throws. The general path (bytes.ts) then starts over and reports errors exactly
 * as it always has.
 */
import { ARRAY, DENSE_LIMIT, LEAF, MAP, OBJECT, SET, type Classify } from './classify.ts';
import { FORMAT, VERSION } from './protocol.ts';
import type { WalkContext } from './walk.ts';
import { BOX, BUFFER, EXT_TYPE, HOLES, LEAF as DATE, RE, VIEW, boxOf, finish, kindOf, viewRecord } from './bytes-kinds.ts';
import { GIVE_UP, MsgpackWriter, PREFIX, giveBack, takeScratch } from './bytes-writer.ts';

/** Deeper than this, msgpackr (which reads recursively) may run out of stack: the general path decides. */
const MAX_DEPTH = 1200;
const ENVELOPE_KEYS = ['format', 'version', 'root', 'classes', 'instances', 'lastIndex'];

const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const getTime = Date.prototype.getTime;

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
  private readonly classes: string[] = [];
  private readonly classIndex = new Map<string, number>();
  private readonly instances: unknown[] = [];
  private readonly lastIndex: unknown[] = [];
  private readonly ops: unknown[] = [];
  private readonly blobs: ArrayBuffer[] = [];
  private hasBlobs = false;
  /** Entries written so far of the Map or Set at each depth (a getter could change one while it is written). */
  private readonly counts: number[] = [];
  private readonly entry = (value: unknown, key: unknown): void => {
    this.value(key);
    this.value(value);
    this.counts[this.depth]!++;
  };
  private readonly item = (value: unknown): void => {
    this.value(value);
    this.counts[this.depth]!++;
  };

  constructor(private readonly classify: Classify, buf: Uint8Array) {
    super(buf);
  }

  envelope(root: unknown): Uint8Array {
    this.recordHeader(ENVELOPE_KEYS);
    this.string(FORMAT);
    this.value(VERSION);
    this.value(root);
    const { classes, instances, lastIndex, ops } = this;
    this.arrayHeader(classes.length);
    for (const id of classes) this.string(id);
    this.arrayHeader(instances.length);
    for (const item of instances) this.value(item);
    this.arrayHeader(lastIndex.length);
    for (const item of lastIndex) this.value(item);
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
    const known = this.remember(obj);
    if (known >= 0) {
      this.pointer(known);
      return;
    }
    const info = this.classify(obj);
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
    switch (info.walk) {
      case OBJECT: {
        const keys = Object.keys(obj);
        this.recordHeader(keys);
        const record = obj as Record<string, unknown>;
        for (let i = 0; i < keys.length; i++) this.value(record[keys[i]!]);
        break;
      }
      case ARRAY:
        this.array(obj as unknown[]);
        break;
      case MAP: {
        if (Object.getPrototypeOf(obj) !== Map.prototype) throw GIVE_UP; // a recipe: the general path
        const size = (obj as Map<unknown, unknown>).size;
        this.mapHeader(size);
        this.counts[this.depth] = 0;
        mapForEach.call(obj as Map<unknown, unknown>, this.entry);
        if (this.counts[this.depth] !== size) throw GIVE_UP; // changed while written
        break;
      }
      case SET: {
        const size = (obj as Set<unknown>).size;
        this.tag(0x73);
        this.arrayHeader(size);
        this.counts[this.depth] = 0;
        setForEach.call(obj as Set<unknown>, this.item);
        if (this.counts[this.depth] !== size) throw GIVE_UP;
        break;
      }
      case LEAF:
        if (info.special === 'transfer') throw GIVE_UP; // a MessagePort: the general path refuses it
        this.leaf(obj);
        break;
      default:
        throw GIVE_UP; // ERROR, STATE (substituted) or UNSENDABLE
    }
    this.depth--;
    if (info.id !== undefined) {
      let index = this.classIndex.get(info.id);
      if (index === undefined) {
        index = this.classes.push(info.id) - 1;
        this.classIndex.set(info.id, index);
      }
      this.instances.push(obj, index);
    } else if (info.nullProto) {
      this.instances.push(obj, -1);
    }
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
      this.value(value);
    }
    if (hole >= 0) this.ops.push(HOLES, array, hole, length);
  }

  private leaf(obj: object): void {
    if (this.pos + 32 > this.buf.length) this.grow(32);
    const kind = kindOf(obj);
    if (kind === DATE) this.date(getTime.call(obj));
    else if (kind === RE) {
      const { source, flags, lastIndex } = obj as RegExp;
      this.tag(0x78);
      this.arrayHeader(2);
      this.string(source);
      this.string(flags);
      if (lastIndex !== 0) this.lastIndex.push(obj, lastIndex);
    } else if (kind === VIEW) {
      const record = viewRecord(obj as ArrayBufferView);
      if (record === null) throw GIVE_UP; // over a SharedArrayBuffer: refused by the general path
      this.tag(EXT_TYPE);
      this.arrayHeader(4);
      for (const item of record) this.value(item);
    } else if (kind === BUFFER) {
      this.tag(EXT_TYPE);
      this.number((obj as ArrayBuffer).byteLength);
      this.blobs.push(obj as ArrayBuffer);
      this.hasBlobs = true;
    } else if (kind === BOX) {
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
    } else {
      throw GIVE_UP; // refused (SharedArrayBuffer, Blob…) or unexpected
    }
  }
}
