import { afterAll, describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { SerializationError } from '../src/errors.ts';
import { BYTES_VERSION, MAGIC } from '../src/serializer/bytes.ts';
import { deserialize, registerClass, serialize } from '../src/serializer/index.ts';
import { caught as refused } from './helpers/caught.ts';

class Guarded {
  secret = 1;
}
registerClass(Guarded, 'test:hostile:Guarded');

const writer = new Packr({ structuredClone: true, useToJSON: false, mapsAsObjects: false });
const env = (root: unknown, tables: Record<string, unknown> = {}) => ({ format: 'suitkaise/cucumber', version: 1, root, ...tables });

/** Bytes with a valid header around any msgpackr payload. */
function craft(payload: unknown, header: readonly number[] = [...MAGIC, BYTES_VERSION]): Uint8Array {
  return withHeader(writer.pack(payload), header);
}

function withHeader(body: Uint8Array, header: readonly number[] = [...MAGIC, BYTES_VERSION]): Uint8Array {
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}


/** A SerializationError or a value; never another error. */
function survives(data: unknown): void {
  try {
    deserialize(data);
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
  }
}

/** A small seeded PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const probe = globalThis as { __pwned?: unknown };
afterAll(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(probe.__pwned).toBeUndefined();
});

const rich = () => {
  const g = new Guarded();
  return { g, again: g, list: [1, -0, , 'x\uD800'], map: new Map([[1, new Set([2n])]]), when: new Date(3), err: new TypeError('t'), u8: new Uint8Array([1, 2]) };
};

describe('cucumber deserialize: broken bytes', () => {
  it('refuses wrong magic, wrong version, an empty or header-only input', () => {
    const good = serialize({ a: 1 }, { bytes: true });
    expect(refused(() => deserialize(new Uint8Array(0))).message).toMatch(/magic/);
    expect(refused(() => deserialize(withHeader(good.subarray(5), [1, 2, 3, 4, BYTES_VERSION]))).message).toMatch(/magic/);
    expect(refused(() => deserialize(withHeader(good.subarray(5), [...MAGIC, 99]))).message).toMatch(/version 99 is not supported/);
    expect(refused(() => deserialize(good.subarray(0, 5))).message).toMatch(/truncated or corrupt/);
    refused(() => deserialize(good.buffer));
  });

  it('refuses every truncation of a valid byte form', () => {
    const good = serialize(rich(), { bytes: true });
    expect(deserialize(good)).toBeTruthy();
    for (let length = 0; length < good.length; length++) refused(() => deserialize(good.subarray(0, length)));
  });

  it('survives random bodies and random corruption of valid bytes', () => {
    const next = random(0xc0ffee);
    const good = serialize(rich(), { bytes: true });
    for (let round = 0; round < 400; round++) {
      const body = Uint8Array.from({ length: 1 + Math.floor(next() * 48) }, () => Math.floor(next() * 256));
      survives(withHeader(body));
      const flipped = good.slice();
      for (let k = 0; k < 3; k++) flipped[5 + Math.floor(next() * (flipped.length - 5))] = Math.floor(next() * 256);
      survives(flipped);
    }
  });

  it('refuses bytes that are not an envelope, and msgpackr extensions cucumber never writes', () => {
    for (const payload of [42, 'x', [], [1, 2], [env(1), 'ops'], { root: 1 }]) refused(() => deserialize(craft(payload)));
    // msgpackr's error extension, named so that its class lookup would reach Object.prototype.
    const errorExt = withHeader(Uint8Array.from([0x91, 0xd4, 0x65, 0x00, 0x93, 0xa7, ...new TextEncoder().encode('valueOf'), 0xc0, 0xc0]));
    refused(() => deserialize(errorExt));
  });
});

describe('cucumber deserialize: crafted envelopes, in both forms', () => {
  const forms = { clone: (payload: unknown) => payload, bytes: (payload: unknown) => craft([payload]) };
  for (const [form, make] of Object.entries(forms)) {
    it(`refuses unknown class, function and codec ids (${form})`, () => {
      const obj = { a: 1 };
      expect(refused(() => deserialize(make(env(obj, { classes: ['nobody'], instances: [obj, 0] })))).message).toMatch(/unknown class id 'nobody'/);
      const fnRef = { k: 'fn', id: 'eval' };
      refused(() => deserialize(make(env(fnRef, { subs: [fnRef], fix: [] }))));
      const state = { k: 'state', id: 'Function', state: 'return 1' };
      refused(() => deserialize(make(env(state, { subs: [state], fix: [0] }))));
      refused(() => deserialize(make(env(1, { subs: [{ k: 'code', src: '1' }] }))));
    });

    it(`refuses side tables that reference non-objects (${form})`, () => {
      const tables: Array<Record<string, unknown>> = [
        { classes: ['test:hostile:Guarded'], instances: [1, 0] }, { instances: ['x', -1] }, { instances: [{}, 7] },
        { classes: [5], instances: [{}, 0] }, { instances: {} }, { subs: [1] }, { subs: [null] }, { fix: ['s'] }, { fix: [99] },
        { subs: [{ k: 'error', props: 'no' }], fix: [0] }, { subs: [{ k: 'error', props: ['__proto__', 1] }], fix: [0] },
      ];
      for (const table of tables) refused(() => deserialize(make(env({}, table))));
    });

    it(`never sets a prototype from __proto__ / constructor / prototype keys (${form})`, () => {
      const root = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": 1}') as object;
      const out = deserialize(make(env(root))) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(out.polluted).toBeUndefined();
      expect(Object.keys(out)).toEqual(form === 'clone' ? ['__proto__', 'constructor', 'prototype'] : ['__proto_', 'constructor', 'prototype']);
    });
  }

  it('refuses to re-prototype Object.prototype itself', () => {
    refused(() => deserialize(env(1, { classes: ['test:hostile:Guarded'], instances: [Object.prototype, 0] })));
    expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
  });

  it('never evaluates code, even in keys msgpackr compiles into record readers', () => {
    const keys = ['"]:globalThis.__pwned=1,x:["', "a');globalThis.__pwned=1;('", '__proto__', 'constructor', '\u2028'];
    const record = () => JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'globalThis.__pwned = 1'])))) as object;
    const out = deserialize(craft([env(Array.from({ length: 8 }, record))])) as Array<Record<string, unknown>>;
    expect(out).toHaveLength(8);
    expect(Object.keys(out[7]!)).toContain(keys[0]);
    expect(probe.__pwned).toBeUndefined();
  });
});

describe('cucumber deserialize: crafted repair tables', () => {
  it('refuses malformed repairs and recipes', () => {
    const buffer = new ArrayBuffer(4);
    const bad: Array<[unknown, unknown]> = [
      ['ops', []], [[3, 'x', 0, 0], []], [[3, {}, 0, 0], []], [[3, [1], 5, 0], [['b', 'n', 1]]], [[4, {}, 0, 1], []],
      [[4, [1], 0, 9], []], [[5, {}, 1], []], [[9, {}, 0], []], [[1, {}, 0], []], [[], [['v', 'Function', buffer, 0, 1]]],
      [[], [['v', 'constructor', buffer, 0, 1]]], [[], [['v', 'Uint32Array', buffer, 1, 1]]], [[], [['b', 'n', 'str']]],
      [[], [['o', ['a'], []]]], [[], [['zz']]], [[], ['v']], [[2, [1], 0, 42], []],
    ];
    for (const [ops, recipes] of bad) refused(() => deserialize(craft([env([1]), ops, recipes])));
  });

  it('writes a recipe object only as own data properties, never as a prototype', () => {
    const root: unknown[] = [0];
    const out = deserialize(craft([env(root), [3, root, 0, 0], [['o', ['__proto__', 'constructor', 'prototype'], [{ polluted: true }, 1, 2]]]])) as unknown[];
    const made = out[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(made)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(made.polluted).toBeUndefined();
  });
});

describe('cucumber deserialize: deep nesting', () => {
  const deep = (levels: number) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < levels; i++) value = { next: value };
    return value;
  };

  it('reads 100k levels of crafted bytes as a SerializationError, not a stack overflow', () => {
    const body = new Uint8Array(100_001).fill(0x91);
    body[100_000] = 0xc0;
    expect(refused(() => deserialize(withHeader(body))).message).toMatch(/nested too deeply|truncated or corrupt/);
  });

  it('round-trips a 100k-level value through bytes (one pass); the general path refuses it, saying what to do', () => {
    let out = deserialize(serialize(deep(100_000), { bytes: true })) as { next?: unknown };
    let levels = 0;
    for (; typeof out === 'object' && out !== null && 'next' in out; levels++) out = out.next as { next?: unknown };
    expect([levels, out]).toEqual([100_000, 'bottom']);
    const error = refused(() => serialize({ deep: deep(100_000), s: Symbol.for('test:hostile') }, { bytes: true }));
    expect(error.message).toMatch(/nested too deeply.*structured-clone form/);
    expect(deserialize(serialize({ after: 'still works' }, { bytes: true }))).toEqual({ after: 'still works' });
  });

  it('restores a 100k-level envelope in the structured-clone form without recursing', () => {
    let out = deserialize(env(deep(100_000))) as { next?: unknown };
    let levels = 0;
    while (typeof out === 'object' && out !== null && 'next' in out) {
      out = out.next as { next?: unknown };
      levels++;
    }
    expect(levels).toBe(100_000);
  });

  it('round-trips moderately deep values (1000 levels) through bytes', () => {
    expect(deserialize(serialize(deep(1000), { bytes: true }))).toEqual(deep(1000));
  });

  const build = (levels: number, make: (inner: unknown, level: number) => unknown): unknown => {
    let value: unknown = 'bottom';
    for (let i = 0; i < levels; i++) value = make(value, i);
    return value;
  };
  // Objects met twice carry an id, which costs msgpackr's reader more stack per level.
  const shapes: Record<string, (inner: unknown, level: number) => unknown> = {
    'shared records': (v) => ({ a: v, b: v }),
    'records of new shapes': (v, i) => ({ [`k${i}`]: v }),
    'Maps of shared keys': (v) => new Map([[v, v]]),
    'shared Sets': (v) => {
      const set = new Set([v]);
      return [set, set];
    },
    'registered instances': (v) => Object.assign(new Guarded(), { next: v }),
    arrays: (v) => [v],
  };

  it('writes nesting a reader could run out of stack on apart (one pass), or refuses it with its path (general path)', () => {
    const shared = build(960, shapes['shared records']!);
    let out = deserialize(serialize(shared, { bytes: true })) as { a?: unknown; b?: unknown };
    for (let i = 0; i < 960; i++) {
      expect(out.a).toBe(out.b);
      out = out.a as typeof out;
    }
    expect(out).toBe('bottom');
    const error = refused(() => serialize({ shared, s: Symbol.for('test:hostile') }, { bytes: true }));
    expect(error.message).toMatch(/nested too deeply for the byte form.*structured-clone form/);
    expect(error.path).toMatch(/^root\.shared(\.a)+$/);
    for (const levels of [1250, 1500]) {
      const maps = refused(() => serialize([build(levels, shapes['Maps of shared keys']!), Symbol.for('test:hostile')], { bytes: true }));
      expect(maps.message).toMatch(/nested too deeply for the byte form/);
      expect(maps.path).toMatch(/^root\[0\](<Map key 0>)+$/);
    }
  });

  it('reads whatever it writes, at every depth, on both paths, even from a caller deep in the stack', () => {
    const nested = (frames: number, fn: () => unknown): unknown => (frames === 0 ? fn() : nested(frames - 1, fn));
    for (const [name, make] of Object.entries(shapes)) {
      for (const extra of [[], [Symbol.for('test:hostile')]]) {
        for (let levels = 100; levels <= 1900; levels += 200) {
          let bytes: Uint8Array;
          try {
            bytes = serialize([build(levels, make), ...extra], { bytes: true });
          } catch (error) {
            expect(refused(() => { throw error; }).message, `${name} at ${levels}`).toMatch(/nested too deeply/);
            continue;
          }
          expect(() => nested(1000, () => deserialize(bytes)), `${name} at ${levels}`).not.toThrow();
        }
      }
    }
  });
});
