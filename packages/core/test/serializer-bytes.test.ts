import { describe, expect, expectTypeOf, it } from 'vitest';
import { BYTES_VERSION, MAGIC } from '../src/serializer/bytes.ts';
import { cucumber, deserialize, registerClass, serialize, type SerializedValue } from '../src/serializer/index.ts';
import { caught } from './helpers/caught.ts';

/** Round trip through the byte form. */
function bytesTrip<T>(value: T, lossy = false): T {
  return deserialize(serialize(value, { bytes: true, lossy })) as T;
}


class Vec {
  constructor(public x: number, public y: number) {}
  get norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
registerClass(Vec, 'test:bytes:Vec');

class Link {
  next: Link | null = null;
  constructor(public label: string) {}
}
registerClass(Link, 'test:bytes:Link');

class Index extends Map<unknown, unknown> {
  first(): unknown {
    return this.keys().next().value;
  }
}
registerClass(Index, 'test:bytes:Index');

class Samples extends Float32Array {
  mean(): number {
    return this.reduce((a, b) => a + b, 0) / this.length;
  }
}
registerClass(Samples, 'test:bytes:Samples');

class Counter {
  #count = 0;
  bump(): number {
    return ++this.#count;
  }
  toState(): number {
    return this.#count;
  }
  static fromState(count: number): Counter {
    const counter = new Counter();
    for (let i = 0; i < count; i++) counter.bump();
    return counter;
  }
}
registerClass(Counter, 'test:bytes:Counter');

class Oops extends Error {
  code = 'E_OOPS';
}
registerClass(Oops, 'test:bytes:Oops');

const square = registerClass((x: number) => x * x, 'test:bytes:square');

describe('cucumber byte form: the format', () => {
  it('has an exact type per option, and starts with the magic and version in a tight buffer', () => {
    expectTypeOf(serialize(1, { bytes: true })).toEqualTypeOf<Uint8Array>();
    expectTypeOf(serialize(1)).toEqualTypeOf<SerializedValue>();
    expectTypeOf(cucumber.serialize(1, { lossy: true })).toEqualTypeOf<SerializedValue>();
    const bytes = serialize({ a: 1 }, { bytes: true });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes.subarray(0, MAGIC.length + 1)]).toEqual([...MAGIC, BYTES_VERSION]);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
    expect(cucumber.deserialize(bytes)).toEqual({ a: 1 });
  });

  it('writes self-contained messages: each reads alone, in any order', () => {
    const make = (n: number) => Array.from({ length: 6 }, (_, i) => ({ id: n + i, name: `n${i}`, at: new Date(i) }));
    const first = serialize(make(0), { bytes: true });
    const second = serialize(make(100), { bytes: true });
    expect(deserialize(second)).toEqual(make(100));
    expect(deserialize(first)).toEqual(make(0));
    expect(deserialize(second.slice())).toEqual(make(100));
  });
});

describe('cucumber byte form: what structured clone carries', () => {
  it('keeps primitives: -0, NaN, undefined, BigInt of every size, lone surrogates', () => {
    const bigs = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n) - 1n, 2n ** 300n + 7n, -(3n ** 200n)];
    const lone = ['\uD800', 'a\uDC00b', `${'x'.repeat(100)}\uD83D`, '\uD83D\uDE00 ok', '😀\uD800x😀', `${'😀'.repeat(3000)}\uDC00`];
    const value = { negZero: -0, nan: Number.NaN, undef: undefined, inf: -Infinity, big: 2 ** 60, frac: 0.1, bigs, lone };
    const out = bytesTrip(value);
    expect(Object.is(out.negZero, -0)).toBe(true);
    expect(out.nan).toBeNaN();
    expect('undef' in out && out.undef === undefined).toBe(true);
    expect(out.inf).toBe(-Infinity);
    expect(out.big).toBe(2 ** 60);
    expect(out.frac).toBe(0.1);
    expect(out.bigs).toEqual(bigs);
    expect(out.lone).toEqual(lone);
    for (const root of [-0, undefined, null, '\uDFFF', 5n, Number.NaN, 'plain']) expect(Object.is(bytesTrip(root), root)).toBe(true);
  });

  it('keeps holes in sparse arrays, -0 and lone surrogates inside arrays, Maps and Sets', () => {
    const sparse: unknown[] = [, 1, , , -0];
    sparse[9] = 'end';
    const empty = new Array(4);
    const map = new Map<unknown, unknown>([['z', -0], ['\uD800', 'key'], [1, '\uDC00']]);
    const set = new Set<unknown>(['\uD800', '\uD801', 'ok']);
    const out = bytesTrip({ sparse, empty, map, set, ['k\uD800']: 1 });
    expect(out.sparse.length).toBe(10);
    expect([0, 2, 3, 5, 8].some((i) => i in out.sparse)).toBe(false);
    expect(Object.is(out.sparse[4], -0)).toBe(true);
    expect(out.sparse[9]).toBe('end');
    expect(out.empty.length).toBe(4);
    expect(Object.keys(out.empty)).toEqual([]);
    expect([...out.map]).toEqual([...map]);
    expect(Object.is(out.map.get('z'), -0)).toBe(true);
    expect([...out.set]).toEqual([...set]);
    expect(Object.keys(out)).toContain('k\uD800');
  });

  it('keeps Date, RegExp with flags and lastIndex, Map, Set, ArrayBuffer and boxed primitives', () => {
    const re = /a(?<b>b)?/dgimsuy;
    re.lastIndex = 7;
    const dates = [new Date(0), new Date(-1500), new Date(1_700_000_000_123), new Date(8.64e15), new Date(-8.64e15), new Date(Number.NaN)];
    const value = {
      dates, re, plainRe: /x/, map: new Map<unknown, unknown>([[{ k: 1 }, new Set([1, 'a'])], [2n, null]]),
      buffer: new Uint8Array([1, 2, 3]).buffer, boxed: [Object(1), Object(-0), Object('s\uD800'), Object(true), Object(2n)],
    };
    const out = bytesTrip(value);
    expect(out.dates.map((d) => d.getTime())).toEqual(dates.map((d) => d.getTime()));
    expect(out.dates.every((d) => d instanceof Date)).toBe(true);
    expect(out.re.source).toBe(re.source);
    expect(out.re.flags).toBe(re.flags);
    expect(out.re.lastIndex).toBe(7);
    expect(out.plainRe.lastIndex).toBe(0);
    expect(out.map).toEqual(value.map);
    expect([...new Uint8Array(out.buffer)]).toEqual([1, 2, 3]);
    expect(out.buffer).toBeInstanceOf(ArrayBuffer);
    expect(out.boxed.map((b: { valueOf(): unknown }) => typeof b)).toEqual(['object', 'object', 'object', 'object', 'object']);
    expect(out.boxed.map((b: { valueOf(): unknown }) => b.valueOf())).toEqual([1, -0, 's\uD800', true, 2n]);
    expect(Object.is(out.boxed[1].valueOf(), -0)).toBe(true);
  });

  it('keeps every kind of typed array and DataView, with shared buffers and offsets', () => {
    const names = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
      'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
    const kinds = names.flatMap((name) => {
      const cls = (globalThis as Record<string, unknown>)[name] as (new (n: number) => ArrayLike<unknown>) | undefined;
      return cls ? [[name, cls] as const] : [];
    });
    expect(kinds.length).toBeGreaterThanOrEqual(11);
    const arrays = kinds.map(([name, Cls]) => {
      const array = new Cls(3) as unknown as { [i: number]: unknown };
      const big = name.startsWith('Big');
      array[0] = big ? -5n : -5;
      array[1] = big ? 7n : 7.5;
      array[2] = big ? 2n ** 40n : name.startsWith('Float') ? -0 : 9;
      return array;
    });
    const buffer = new ArrayBuffer(16);
    new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const value = { arrays, buffer, head: new Uint8Array(buffer, 0, 4), tail: new Uint16Array(buffer, 8, 2), view: new DataView(buffer, 2, 6) };
    const out = bytesTrip(value);
    out.arrays.forEach((array, i) => {
      expect(Object.prototype.toString.call(array)).toBe(`[object ${kinds[i]![0]}]`);
      expect([...(array as unknown as Iterable<unknown>)]).toEqual([...(arrays[i] as unknown as Iterable<unknown>)]);
    });
    expect(out.head.buffer).toBe(out.buffer);
    expect(out.tail.buffer).toBe(out.buffer);
    expect(out.view.buffer).toBe(out.buffer);
    expect([out.tail.byteOffset, out.view.byteOffset, out.view.byteLength, out.buffer.byteLength]).toEqual([8, 2, 6, 16]);
    out.head[0] = 99;
    expect(out.view.getUint8(0)).toBe(3);
    expect(new Uint8Array(out.buffer)[0]).toBe(99);
  });

  it('sends a Node Buffer as the Uint8Array structured clone gives', () => {
    if (typeof Buffer !== 'function') return;
    const out = bytesTrip({ b: Buffer.from('hi') });
    expect(Object.getPrototypeOf(out.b)).toBe(Uint8Array.prototype);
    expect([...out.b]).toEqual([104, 105]);
  });

  it('keeps null-prototype objects and own __proto__ / constructor keys as data, never as a prototype', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, '\uD800': 2 });
    const tricky = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}, "__proto_": 3}') as Record<string, unknown>;
    const out = bytesTrip({ nullProto, tricky });
    expect(Object.getPrototypeOf(out.nullProto)).toBeNull();
    expect(Object.keys(out.nullProto)).toEqual(['a', '\uD800']);
    expect(Object.getPrototypeOf(out.tricky)).toBe(Object.prototype);
    expect(Object.keys(out.tricky)).toEqual(['__proto__', 'constructor', '__proto_']);
    expect(Object.getOwnPropertyDescriptor(out.tricky, '__proto__')?.value).toEqual({ polluted: true });
    expect(out.tricky.__proto_).toBe(3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops own non-index properties of arrays (documented: msgpackr writes elements only)', () => {
    const list = Object.assign([1, 2], { extra: 'x' });
    const out = bytesTrip({ list });
    expect(out.list).toEqual([1, 2]);
    expect(Object.hasOwn(out.list, 'extra')).toBe(false);
  });
});

describe('cucumber byte form: what cucumber adds', () => {
  it('keeps registered classes with prototypes, cycles and shared references', () => {
    const a = new Link('a');
    const b = new Link('b');
    a.next = b;
    b.next = a;
    const v = new Vec(3, 4);
    const self = new Link('self');
    self.next = self;
    const out = bytesTrip({ a, b, v, again: v, list: [v, a], self });
    expect(out.a).toBeInstanceOf(Link);
    expect(out.a.next).toBe(out.b);
    expect(out.b.next).toBe(out.a);
    expect(out.v).toBeInstanceOf(Vec);
    expect(out.v.norm).toBe(5);
    expect(out.again).toBe(out.v);
    expect(out.list[0]).toBe(out.v);
    expect(out.list[1]).toBe(out.a);
    expect(out.self.next).toBe(out.self);
  });

  it('keeps registered Map and typed-array subclasses, toState classes, errors, functions and symbols', () => {
    const index = new Index([['k', 1]]);
    index.set('self', index);
    const samples = Samples.from([1, 2, 3]) as Samples;
    const counter = new Counter();
    counter.bump();
    counter.bump();
    const oops = new Oops('bad', { cause: new TypeError('inner') });
    const value = { index, samples, counter, oops, fn: square, sym: Symbol.for('test:bytes'), errs: new AggregateError([oops], 'many') };
    const out = bytesTrip(value);
    expect(out.index).toBeInstanceOf(Index);
    expect(out.index).toBeInstanceOf(Map);
    expect(out.index.first()).toBe('k');
    expect(out.index.get('self')).toBe(out.index);
    expect(out.samples).toBeInstanceOf(Samples);
    expect(out.samples.mean()).toBe(2);
    expect(out.counter).toBeInstanceOf(Counter);
    expect(out.counter.bump()).toBe(3);
    expect(out.oops).toBeInstanceOf(Oops);
    expect(out.oops.code).toBe('E_OOPS');
    expect(out.oops.stack).toBe(oops.stack);
    expect(out.oops.cause).toBeInstanceOf(TypeError);
    expect(out.errs.errors[0]).toBe(out.oops);
    expect(out.fn).toBe(square);
    expect(out.sym).toBe(Symbol.for('test:bytes'));
  });

  it('sends unregistered instances as plain objects when lossy', () => {
    class Loose {
      n = 1;
    }
    expect(caught(() => serialize({ x: new Loose() }, { bytes: true })).path).toBe('root.x');
    const out = bytesTrip({ x: new Loose() }, true);
    expect(Object.getPrototypeOf(out.x)).toBe(Object.prototype);
    expect(out.x).toEqual({ n: 1 });
  });
});

class Odd {
  constructor(public n: number) {}
}
registerClass(Odd, 'test:bytes:Odd\uD800');

describe('cucumber byte form: the one-pass writer', () => {
  it('writes every msgpack number width, and 0x40-0x7f (record ids) as numbers', () => {
    const numbers = [0x3f, 0x40, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129,
      -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 0.5, -1e300, Number.MIN_VALUE];
    expect(bytesTrip({ numbers, again: [...numbers] })).toEqual({ numbers, again: numbers });
  });

  it('writes strings of every header size in 1- to 4-byte UTF-8, as values and as keys', () => {
    for (const char of ['a', '\u00e9', '\u20ac', '\u{1F600}']) {
      for (const n of [0, 1, 10, 31, 32, 63, 64, 100, 255, 256, 21845, 65535, 65536]) {
        const s = char.repeat(n);
        const out = bytesTrip({ s, list: [s, 1], [s]: s });
        expect(out.s).toBe(s);
        expect(out.list[0]).toBe(s);
        expect(Object.keys(out)).toEqual(['s', 'list', s]);
      }
    }
  });

  it('keeps more record shapes than msgpackr has ids (64), interleaved and nested', () => {
    const make = (i: number): Record<string, unknown> => ({ [`k${i}`]: i, shared: { a: i, b: [i] }, [`z${i % 70}`]: i % 3 === 0 ? make(i + 1000) : null });
    const value = Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? { a: i, b: [i] } : make(i)));
    const out = bytesTrip(value);
    expect(out).toEqual(value);
    out.forEach((item, i) => expect(Object.keys(item)).toEqual(Object.keys(value[i]!)));
  });

  it('keeps lone surrogates in record keys, Map keys, Set members, RegExp sources and class ids', () => {
    const map = new Map<unknown, unknown>([['\uD800', 1], ['\uDC00', 2], ['\uFFFD', 3]]);
    const value = { rec: { 'k\uD800': 1, 'k\uDC00': 2 }, map, set: new Set(['\uD800', '\uDBFF']), re: new RegExp('\uD800'), odd: new Odd(2) };
    const out = bytesTrip(value);
    expect(Object.keys(out.rec)).toEqual(['k\uD800', 'k\uDC00']);
    expect([...out.map]).toEqual([...map]);
    expect([...out.set]).toEqual(['\uD800', '\uDBFF']);
    expect(out.re.source).toBe(value.re.source);
    expect(out.odd).toBeInstanceOf(Odd);
  });

  it('reads back what msgpackr writes on the general path alike', () => {
    const shared = { s: 'x\uD800', n: -0 };
    const sparse: unknown[] = [1, , shared];
    const value = { shared, sparse, map: new Map([[shared, new Set([shared])]]), when: new Date(-1500), views: new Uint16Array([1, 2]).subarray(1) };
    const fast = bytesTrip({ value });
    const general = bytesTrip({ value, fn: square });
    expect(general.fn).toBe(square);
    for (const out of [fast.value, general.value]) {
      expect(out).toEqual(value);
      expect(out.sparse[2]).toBe(out.shared);
      expect(1 in out.sparse).toBe(false);
      expect(Object.is(out.shared.n, -0)).toBe(true);
      expect([...out.map.keys()][0]).toBe(out.shared);
      expect(out.views.byteOffset).toBe(2);
    }
  });

  it('reports a getter that throws as the structured-clone form does', () => {
    const value = { get bad(): never { throw new Error('no') } };
    expect(caught(() => serialize(value, { bytes: true })).message).toBe(caught(() => serialize(value)).message);
  });
});

describe('cucumber byte form: what it refuses', () => {
  it('keeps a SharedArrayBuffer shared in the structured-clone form, and refuses it in bytes with its path', () => {
    const shared = new SharedArrayBuffer(16);
    const original = new Int32Array(shared);
    const out = deserialize(structuredClone(serialize({ shared, view: original }))) as { shared: SharedArrayBuffer; view: Int32Array };
    new Int32Array(out.shared)[1] = 42;
    expect(Atomics.load(original, 1)).toBe(42);
    out.view[2] = 7;
    expect(original[2]).toBe(7);
    const error = caught(() => serialize({ deep: { shared } }, { bytes: true }));
    expect(error.path).toBe('root.deep.shared');
    expect(error.message).toMatch(/SharedArrayBuffer cannot go into the byte form.*structured-clone form/);
    expect(caught(() => serialize({ list: [1, original] }, { bytes: true })).path).toBe('root.list[1]');
    expect(caught(() => serialize(new Map([['k', shared]]), { bytes: true })).path).toBe('root<Map value 0>');
  });

  it('refuses Blob and File with their path and what to do', () => {
    const blob = new Blob(['hi']);
    const error = caught(() => serialize({ files: [blob] }, { bytes: true }));
    expect(error.path).toBe('root.files[0]');
    expect(error.message).toMatch(/Blob cannot go into the byte form.*arrayBuffer\(\)/);
    if (typeof File === 'function') {
      const file = new File(['x'], 'x.txt');
      expect(caught(() => serialize({ error: new Error('e', { cause: file }) }, { bytes: true })).path).toBe('root.error.cause');
    }
    expect(deserialize(structuredClone(serialize({ blob })))).toEqual({ blob: expect.any(Blob) });
  });

  it('refuses a DOM node in both forms, with its path and what to do (browser only)', () => {
    if (typeof document === 'undefined') return;
    const div = document.createElement('div');
    for (const bytes of [false, true]) {
      const error = caught(() => serialize({ ui: { panels: [div] } }, { bytes }));
      expect(error.path).toBe('root.ui.panels[0]');
      expect(error.message).toMatch(/DOM node cannot be sent.*textContent/);
    }
  });
});
