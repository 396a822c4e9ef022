import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, registerClass, serialize } from '../src/serializer/index.ts';

class Pt {
  constructor(public x: unknown, public y: unknown) {}
  get pair(): unknown[] {
    return [this.x, this.y];
  }
}
registerClass(Pt, 'test:property:Pt');

/** A description of a value graph; built fresh for every check, so fast-check's values stay untouched. */
type Blue =
  | { t: 'prim'; v: unknown }
  | { t: 'date'; ms: number }
  | { t: 'f64'; values: number[] }
  | { t: 'arr'; items: Blue[]; holes: number[] }
  | { t: 'obj'; entries: Array<[string, Blue]>; nullProto: boolean }
  | { t: 'map'; entries: Array<[Blue, Blue]> }
  | { t: 'set'; items: Blue[] }
  | { t: 'pt'; x: Blue; y: Blue };

const prim = fc.oneof(
  fc.integer(), fc.double(), fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, 2 ** 53), fc.bigInt(),
  fc.string({ maxLength: 6 }), fc.constantFrom('\uD800', 'a\uDC00', '😀', ''), fc.boolean(), fc.constant(null), fc.constant(undefined),
).map((v): Blue => ({ t: 'prim', v }));
const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toJSON', '0', 'k\uD800'));

const { node } = fc.letrec<{ node: Blue }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    prim,
    fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms): Blue => ({ t: 'date', ms })),
    fc.array(fc.oneof(fc.double(), fc.constant(-0)), { maxLength: 3 }).map((values): Blue => ({ t: 'f64', values })),
    fc.record({ items: fc.array(tie('node'), { maxLength: 4 }), holes: fc.array(fc.nat(6), { maxLength: 2 }) })
      .map(({ items, holes }): Blue => ({ t: 'arr', items, holes })),
    fc.record({ entries: fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }), nullProto: fc.boolean() })
      .map(({ entries, nullProto }): Blue => ({ t: 'obj', entries, nullProto })),
    fc.array(fc.tuple(tie('node'), tie('node')), { maxLength: 3 }).map((entries): Blue => ({ t: 'map', entries })),
    fc.array(tie('node'), { maxLength: 3 }).map((items): Blue => ({ t: 'set', items })),
    fc.tuple(tie('node'), tie('node')).map(([x, y]): Blue => ({ t: 'pt', x, y })),
  ),
}));

/** Build the graph a blueprint describes, then add `links` (cycles and shared references). */
function build(blue: Blue, links: Array<[number, number]>): unknown {
  const containers: object[] = [];
  const objects: object[] = [];
  const make = (b: Blue): unknown => {
    let out: object;
    switch (b.t) {
      case 'prim': return b.v;
      case 'date': out = new Date(b.ms); break;
      case 'f64': out = Float64Array.from(b.values); break;
      case 'arr': {
        const array = b.items.map(make);
        for (const hole of b.holes) {
          if (hole < array.length) delete array[hole];
          else array.length = hole + 1;
        }
        out = array;
        break;
      }
      case 'obj':
        out = b.nullProto ? Object.create(null) as object : {};
        for (const [k, v] of b.entries) Object.defineProperty(out, k, { value: make(v), writable: true, enumerable: true, configurable: true });
        break;
      case 'map': out = new Map(b.entries.map(([k, v]) => [make(k), make(v)])); break;
      case 'set': out = new Set(b.items.map(make)); break;
      case 'pt': out = new Pt(make(b.x), make(b.y)); break;
    }
    objects.push(out);
    if (b.t !== 'date' && b.t !== 'f64') containers.push(out);
    return out;
  };
  const root = make(blue);
  links.forEach(([from, to], k) => {
    if (containers.length === 0) return;
    const source = containers[from % containers.length]!;
    const target = objects[to % objects.length]!;
    if (Array.isArray(source)) source.push(target);
    else if (source instanceof Map) source.set(k % 2 === 0 ? target : `link${k}`, target);
    else if (source instanceof Set) source.add(target);
    else (source as Record<string, unknown>)[`link${k}`] = target;
  });
  return root;
}

/**
 * Where `b` is not an isomorphic copy of `a`, or null: same shape of identities (cycles and
 * shared references, both ways), same prototypes, same own keys in order, holes, `-0` and NaN.
 */
function difference(a: unknown, b: unknown, path = 'root', forth = new Map<object, object>(), back = new Map<object, object>()): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? null : `${path}: ${String(a)} became ${String(b)}`;
  }
  if (forth.has(a) || back.has(b)) return forth.get(a) === b ? null : `${path}: identity not kept`;
  forth.set(a, b);
  back.set(b, a);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototype differs`;
  const pairs: Array<[unknown, unknown, string]> = [];
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime()) ? null : `${path}: date differs`;
  if (a instanceof Float64Array) {
    const other = b as Float64Array;
    return a.length === other.length && a.every((v, i) => Object.is(v, other[i])) ? null : `${path}: typed array differs`;
  }
  if (a instanceof Map || a instanceof Set) {
    const [x, y] = [[...a], [...(b as Map<unknown, unknown> | Set<unknown>)]];
    if (x.length !== y.length) return `${path}: size differs`;
    x.forEach((item, i) => pairs.push([item, y[i], `${path}<${i}>`]));
  } else if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return `${path}: length differs`;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in other) return `${path}[${i}]: hole differs`;
      pairs.push([a[i], other[i], `${path}[${i}]`]);
    }
  } else {
    const [x, y] = [Object.keys(a), Object.keys(b)];
    if (x.join('\u0000') !== y.join('\u0000')) return `${path}: keys ${JSON.stringify(x)} became ${JSON.stringify(y)}`;
    for (const k of x) pairs.push([(a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`]);
  }
  for (const [x, y, at] of pairs) {
    const found = difference(x, y, at, forth, back);
    if (found !== null) return found;
  }
  return null;
}

const graphs = fc.tuple(node, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 5 }));

describe('cucumber: deserialize(serialize(x)) is an isomorphic copy of x', () => {
  it('through a real structured clone', () => {
    fc.assert(fc.property(graphs, ([blue, links]) => {
      const value = build(blue, links);
      expect(difference(value, deserialize(structuredClone(serialize(value))))).toBeNull();
    }), { numRuns: 200 });
  });

  it('through the byte form', () => {
    fc.assert(fc.property(graphs, ([blue, links]) => {
      const value = build(blue, links);
      expect(difference(value, deserialize(serialize(value, { bytes: true })))).toBeNull();
    }), { numRuns: 200 });
  });

  it('the checker itself sees a lost cycle, a lost -0 and a lost prototype', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(difference(cyclic, { self: { self: {} } })).toMatch(/identity|keys/);
    expect(difference([-0], [0])).toMatch(/became/);
    expect(difference(new Pt(1, 2), { x: 1, y: 2 })).toMatch(/prototype/);
  });
});
