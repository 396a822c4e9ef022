/**
 * Writing msgpackr's format (`structuredClone: true`) by hand, for bytes-encode.ts: the buffer,
 * numbers, BigInts, strings, Dates, records (msgpackr's `0xd4 0x72 id keys`, then the id) and
 * its ids and pointers for objects met more than once (`0xd6 0x69 id` before the first, inserted
 * at the end; `0xd6 0x70 id` for the others), exactly as msgpackr's reader expects them.
 */
import { EXT_TYPE, fitsUtf8 } from './bytes-kinds.ts';

/** The body starts after room for the blob layout's prefix (`0x94 0xce` and a uint 32). */
export const PREFIX = 6;
const MIN_INT64 = -(2n ** 63n), MAX_UINT64 = 2n ** 64n, MIN_UINT64 = 2n ** 63n;

type NodeBuffer = Uint8Array & { utf8Write(s: string, offset: number, length: number): number };
const NodeBufferClass = (globalThis as unknown as { Buffer?: { allocUnsafeSlow(size: number): NodeBuffer } }).Buffer;
const textEncoder = new TextEncoder();

/** A buffer to write into (a Node Buffer where there is one: its `utf8Write` needs no view per string). */
function scratch(size: number): Uint8Array {
  return typeof NodeBufferClass?.allocUnsafeSlow === 'function' ? NodeBufferClass.allocUnsafeSlow(size) : new Uint8Array(size);
}
/** A scratch buffer kept between calls; taken while in use (a getter may serialize meanwhile). */
let spare: Uint8Array | null = null;

/** A scratch buffer for one writer. */
export function takeScratch(): Uint8Array {
  const buffer = spare ?? scratch(1 << 16);
  spare = null;
  return buffer;
}

/** Keep `buffer` for the next writer (unless it grew large). */
export function giveBack(buffer: Uint8Array): void {
  if (buffer.length <= 1 << 22) spare = buffer;
}

/** Thrown to give up on the fast path; bytes-encode.ts catches it. */
export const GIVE_UP: unknown = Object.freeze({ giveUp: true });

interface Shape {
  readonly keys: string[];
  /** Its record id (0x40-0x7f) while {@link MsgpackWriter.owners} says so, else -1. */
  id: number;
}

/** msgpackr's format, written into a growing buffer from {@link PREFIX} on. */
export class MsgpackWriter {
  protected view: DataView;
  protected pos = PREFIX;
  /** Below this, a scalar (at most 16 bytes) fits without a check. */
  protected safeEnd: number;
  /** Every object written, by ordinal: where it starts, and its id once it is met again (0: none). */
  private readonly refs = new Map<object, number>();
  private readonly starts: number[] = [];
  private readonly ids: number[] = [];
  /** Objects met more than once so far (each gets an id). */
  protected shared = 0;
  private readonly shapes = new Map<string, Shape[]>();
  private readonly owners: Array<Shape | undefined> = [];
  private nextId = 0;

  constructor(public buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.safeEnd = buf.length - 16;
  }

  /** Room for `extra` more bytes. */
  protected grow(extra: number): void {
    const old = this.buf;
    const next = scratch(Math.max(old.length * 2, this.pos + extra + 64));
    next.set(old.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    this.safeEnd = next.length - 16;
  }

  /** A fixext 1 tag (`0xd4 type 0`): msgpackr reads the value that follows as the extension's. */
  protected tag(type: number): void {
    const buf = this.buf;
    buf[this.pos] = 0xd4;
    buf[this.pos + 1] = type;
    buf[this.pos + 2] = 0;
    this.pos += 3;
  }

  protected number(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (value === 0 && 1 / value < 0) {
      buf[pos++] = 0xcb; // -0: msgpackr's writer would make it 0
      this.view.setFloat64(pos, value);
      pos += 8;
    } else if (value >>> 0 === value) {
      if (value < 0x40) buf[pos++] = value; // 0x40-0x7f are record ids
      else if (value < 0x100) {
        buf[pos++] = 0xcc;
        buf[pos++] = value;
      } else if (value < 0x10000) {
        buf[pos++] = 0xcd;
        buf[pos++] = value >> 8;
        buf[pos++] = value & 0xff;
      } else {
        buf[pos++] = 0xce;
        this.view.setUint32(pos, value);
        pos += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) buf[pos++] = 0x100 + value;
      else if (value >= -0x80) {
        buf[pos++] = 0xd0;
        buf[pos++] = value + 0x100;
      } else if (value >= -0x8000) {
        buf[pos++] = 0xd1;
        this.view.setInt16(pos, value);
        pos += 2;
      } else {
        buf[pos++] = 0xd2;
        this.view.setInt32(pos, value);
        pos += 4;
      }
    } else {
      buf[pos++] = 0xcb;
      this.view.setFloat64(pos, value);
      pos += 8;
    }
    this.pos = pos;
  }

  protected bigint(value: bigint): void {
    if (value >= MIN_INT64 && value < MIN_UINT64) {
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, value);
    } else if (value > 0 && value < MAX_UINT64) {
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, value);
    } else {
      throw GIVE_UP;
    }
    this.pos += 8;
  }

  protected string(s: string): void {
    const length = s.length;
    if (!fitsUtf8(s)) {
      this.codeUnits(s);
      return;
    }
    if (this.pos + length * 3 + 8 > this.buf.length) this.grow(length * 3 + 8);
    const buf = this.buf;
    let pos = this.pos;
    // Guess the header from the length in UTF-16 units; move the bytes if UTF-8 needs a longer one.
    const headerSize = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    let size: number;
    if (length < 0x40) {
      let at = pos + headerSize;
      for (let i = 0; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80) buf[at++] = c;
        else if (c < 0x800) {
          buf[at++] = (c >> 6) | 0xc0;
          buf[at++] = (c & 0x3f) | 0x80;
        } else if ((c & 0xfc00) === 0xd800) {
          const point = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff); // a pair: the string is well formed
          buf[at++] = (point >> 18) | 0xf0;
          buf[at++] = ((point >> 12) & 0x3f) | 0x80;
          buf[at++] = ((point >> 6) & 0x3f) | 0x80;
          buf[at++] = (point & 0x3f) | 0x80;
        } else {
          buf[at++] = (c >> 12) | 0xe0;
          buf[at++] = ((c >> 6) & 0x3f) | 0x80;
          buf[at++] = (c & 0x3f) | 0x80;
        }
      }
      size = at - pos - headerSize;
    } else if (typeof (buf as NodeBuffer).utf8Write === 'function') {
      size = (buf as NodeBuffer).utf8Write(s, pos + headerSize, buf.length - pos - headerSize);
    } else {
      size = textEncoder.encodeInto(s, buf.subarray(pos + headerSize)).written;
    }
    if (size < 0x20) buf[pos++] = 0xa0 | size;
    else if (size < 0x100) {
      if (headerSize < 2) buf.copyWithin(pos + 2, pos + 1, pos + 1 + size);
      buf[pos++] = 0xd9;
      buf[pos++] = size;
    } else if (size < 0x10000) {
      if (headerSize < 3) buf.copyWithin(pos + 3, pos + headerSize, pos + headerSize + size);
      buf[pos++] = 0xda;
      buf[pos++] = size >> 8;
      buf[pos++] = size & 0xff;
    } else {
      if (headerSize < 5) buf.copyWithin(pos + 5, pos + headerSize, pos + headerSize + size);
      buf[pos++] = 0xdb;
      this.view.setUint32(pos, size);
      pos += 4;
    }
    this.pos = pos + size;
  }

  /** A string UTF-8 cannot carry (see `fitsUtf8`), as a cucumber record `['u', codeUnits]`. */
  protected codeUnits(s: string): void {
    if (this.pos + s.length * 3 + 16 > this.buf.length) this.grow(s.length * 3 + 16);
    this.tag(EXT_TYPE);
    this.arrayHeader(2);
    this.string('u');
    this.arrayHeader(s.length);
    for (let i = 0; i < s.length; i++) this.number(s.charCodeAt(i));
  }

  protected arrayHeader(length: number): void {
    this.header(length, 0x90, 0xdc);
  }

  protected mapHeader(size: number): void {
    this.header(size, 0x80, 0xde);
  }

  /** A msgpack array or map header: `fix | n` below 16, else the 16-bit code, or the 32-bit one (code + 1). */
  private header(count: number, fix: number, code16: number): void {
    if (this.pos > this.safeEnd) this.grow(16);
    const buf = this.buf;
    if (count < 0x10) buf[this.pos++] = fix | count;
    else if (count < 0x10000) {
      buf[this.pos++] = code16;
      buf[this.pos++] = count >> 8;
      buf[this.pos++] = count & 0xff;
    } else {
      buf[this.pos++] = code16 + 1;
      this.view.setUint32(this.pos, count);
      this.pos += 4;
    }
  }

  /** A Date, as msgpackr writes it (timestamp 32, 64 or 96, or its invalid-date form). */
  protected date(time: number): void {
    const buf = this.buf;
    const view = this.view;
    const pos = this.pos;
    const seconds = time / 1000;
    const millis = ((time % 1000) + 1000) % 1000;
    if (millis === 0 && seconds >= 0 && seconds < 0x100000000) {
      buf[pos] = 0xd6;
      buf[pos + 1] = 0xff;
      view.setUint32(pos + 2, seconds);
      this.pos += 6;
    } else if (seconds > 0 && seconds < 0x100000000) {
      buf[pos] = 0xd7;
      buf[pos + 1] = 0xff;
      view.setUint32(pos + 2, millis * 4000000);
      view.setUint32(pos + 6, seconds);
      this.pos += 10;
    } else if (Number.isNaN(seconds)) {
      buf[pos] = 0xd4;
      buf[pos + 1] = 0xff;
      buf[pos + 2] = 0xff;
      this.pos += 3;
    } else {
      buf[pos] = 0xc7;
      buf[pos + 1] = 12;
      buf[pos + 2] = 0xff;
      view.setUint32(pos + 3, millis * 1000000);
      view.setBigInt64(pos + 7, BigInt(Math.floor(seconds)));
      this.pos += 15;
    }
  }

  /** The ordinal of `obj` if it was written before, else -1. */
  protected written(obj: object): number {
    return this.refs.get(obj) ?? -1;
  }

  /** Notes that `obj` (not written before) starts here. */
  protected remember(obj: object): void {
    this.refs.set(obj, this.starts.length);
    this.starts.push(this.pos);
    this.ids.push(0);
  }

  /** A pointer to the `ordinal`-th object written (msgpackr's `0xd6 0x70 id`), which then gets an id. */
  protected pointer(ordinal: number): void {
    let id = this.ids[ordinal]!;
    if (id === 0) this.ids[ordinal] = id = ++this.shared;
    const buf = this.buf;
    buf[this.pos] = 0xd6;
    buf[this.pos + 1] = 0x70;
    this.view.setUint32(this.pos + 2, id);
    this.pos += 6;
  }

  /**
   * The record id for objects with these keys, defined here if it is not (msgpackr's `0xd4 0x72 id
   * keys`); whether it was defined here.
   */
  protected recordHeader(keys: string[]): boolean {
    const first = keys.length === 0 ? '' : keys[0]!;
    let list = this.shapes.get(first);
    let shape: Shape | undefined;
    if (list !== undefined) {
      for (const candidate of list) {
        if (candidate.keys.length !== keys.length) continue;
        let i = 0;
        while (i < keys.length && candidate.keys[i] === keys[i]) i++;
        if (i === keys.length) {
          shape = candidate;
          break;
        }
      }
    } else {
      this.shapes.set(first, (list = []));
    }
    if (shape === undefined) {
      if (keys.includes('__proto__')) throw GIVE_UP; // msgpackr reads it as '__proto_': a recipe
      list.push((shape = { keys, id: -1 }));
    }
    if (shape.id >= 0 && this.owners[shape.id - 0x40] === shape) {
      this.buf[this.pos++] = shape.id;
      return false;
    }
    shape.id = 0x40 + (this.nextId++ & 0x3f); // 64 ids, reused in turn once all are taken
    this.owners[shape.id - 0x40] = shape;
    this.tag(0x72);
    this.buf[this.pos - 1] = shape.id;
    this.arrayHeader(keys.length);
    for (const key of keys) this.string(key);
    return true;
  }

  /** Put msgpackr's `0xd6 0x69 id` before every object met more than once, moving what follows. */
  protected insertIds(): void {
    if (this.shared === 0) return;
    const extra = this.shared * 6;
    if (this.pos + extra > this.buf.length) this.grow(extra);
    const { buf, view, starts, ids } = this;
    let end = this.pos;
    let shift = extra;
    for (let k = starts.length - 1; k >= 0 && shift > 0; k--) {
      const id = ids[k]!;
      if (id === 0) continue;
      const start = starts[k]!;
      buf.copyWithin(start + shift, start, end);
      shift -= 6;
      buf[start + shift] = 0xd6;
      buf[start + shift + 1] = 0x69;
      view.setUint32(start + shift + 2, id);
      end = start;
    }
    this.pos += extra;
  }
}
