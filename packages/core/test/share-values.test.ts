// What a Share keeps and what a read of it returns (API.md, Share): values come back exactly as
// stored whatever form the Share keeps them in, and a read is a copy whose methods act on the
// stored value. Runs in Node and in Chromium.
import { describe, expect, it } from 'vitest';
import { Share, Sktimer, cucumber } from '@suitkaise/core';
import { isPlainData } from '../src/share/forms.ts';

const shared = { same: 1 };
const cycle: Record<string, unknown> = { name: 'cycle' };
cycle.self = cycle;

// [what, value, whether JSON carries it exactly (so the Share keeps it as JSON text)]
const values: Array<[string, unknown, boolean]> = [
  ['a record', { n: 1, tag: 'bench' }, true],
  ['nested data', [1, 'a', true, null, { deep: [[], {}] }], true],
  ['a string', 'text', true],
  ['non-ASCII and astral text', 'héllo ✓ 𝄞', true],
  ['a lone surrogate', '\ud800x', true],
  ['a leading BOM', '\ufeffbom', true],
  ['a long string', 'x'.repeat(100_000), true],
  ['true', true, true],
  ['null', null, true],
  ['numbers JSON writes exactly', [1e21, 5e-324, 0.1 + 0.2, Number.MAX_VALUE, -1.5, 2 ** 53], true],
  ['integer-like keys, in engine order', { b: 1, 2: 'two', a: 2, 1: 'one' }, true],
  ['-0 inside', { z: -0 }, false],
  ['NaN and infinities inside', [NaN, Infinity, -Infinity], false],
  ['an undefined property', { u: undefined, v: 1 }, false],
  ['an undefined element', [undefined, 1], false],
  // eslint-disable-next-line no-sparse-arrays
  ['a hole', [1, , 3], false],
  ['a shared reference', { a: shared, b: shared }, false],
  ['a cycle', cycle, false],
  ['an own __proto__ key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}'), false],
  ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 }), false],
  ['a Date inside', { when: new Date(5) }, false],
  ['a Map', new Map([['a', [1]]]), false],
  ['a bigint', 10n, false],
  ['a class instance', new Sktimer(), false],
  ['nesting deeper than the JSON form takes', nest(200), false],
  ['a frozen record', Object.freeze({ a: 1 }), false],
  ['a sealed array', Object.seal([1, 2]), false],
  ['a non-extensible record', Object.preventExtensions({ a: 1 }), false],
];

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

describe('the forms a Share keeps values in', () => {
  it.each(values)('isPlainData: %s', (_, value, plain) => {
    expect(isPlainData(value)).toBe(plain);
  });

  it.each(values)('stores and reads back exactly: %s', (_, value) => {
    const share = new Share<Record<string, unknown>>();
    share.v = value;
    const read = share.v;
    expect(read).toStrictEqual(value);
    if (typeof value === 'object' && value !== null) {
      expect(Object.getPrototypeOf(read)).toBe(Object.getPrototypeOf(value));
      expect(Object.keys(read as object)).toEqual(Object.keys(value)); // order, holes
    }
    // what the read-back writes again is the same value (a method call compares the two forms)
    share.again = read;
    expect(share.again).toStrictEqual(value);
  });

  it('keeps what toStrictEqual cannot see: -0, holes, shared references and cycles', () => {
    const share = new Share<Record<string, unknown>>();
    share.zero = { z: -0 };
    expect(Object.is((share.zero as { z: number }).z, -0)).toBe(true);
    share.holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    expect(1 in (share.holes as unknown[])).toBe(false);
    share.refs = { a: shared, b: shared };
    const refs = share.refs as { a: object; b: object };
    expect(refs.a).toBe(refs.b);
    share.cycle = cycle;
    const back = share.cycle as Record<string, unknown>;
    expect(back.self).toBe(back);
  });

  it('keeps a frozen, sealed or non-extensible value so', () => {
    const share = new Share<Record<string, unknown>>();
    share.frozen = Object.freeze({ a: 1 });
    share.sealed = Object.seal([1, 2]);
    share.closed = Object.preventExtensions({ a: 1 });
    expect(Object.isFrozen(share.frozen)).toBe(true);
    expect(Object.isSealed(share.sealed) && !Object.isFrozen(share.sealed)).toBe(true);
    expect(Object.isExtensible(share.closed)).toBe(false);
  });

  it('reads a getter once when storing, and keeps what that read gave', () => {
    let reads = 0;
    const value = { get n() { reads += 1; return reads === 1 ? 'first' : 'second'; } };
    expect(isPlainData(value)).toBe(false);
    reads = 0;
    const share = new Share<Record<string, unknown>>();
    share.v = value;
    expect(reads).toBe(1);
    expect(share.v).toEqual({ n: 'first' });
  });

  it('moves a key between forms, in place or not, without mixing them up', () => {
    const share = new Share<{ v: unknown }>();
    const sequence: unknown[] = [1, { a: 'x'.repeat(500) }, -0, 'short', new Map([[1, 2]]), NaN, [1, 2, 3], { z: -0 }, 2.5, null];
    for (const value of sequence) {
      share.v = value;
      expect(share.v).toStrictEqual(value);
      share.update('v', (current) => current);
      expect(share.v).toStrictEqual(value);
    }
    expect(Object.is(share.update('v', () => -0), -0)).toBe(true);
    expect(Object.is(share.v, -0)).toBe(true);
  });

  it('update(): fn may write the Share itself, even a write that moves the stored values', () => {
    const share = new Share<Record<string, unknown>>();
    for (let i = 1; i <= 6; i++) share.w = 'w'.repeat(i * 8000); // the memory grows
    share.before = 'z'.repeat(5000);
    share.x = 1;
    delete share.before; // a dead slot ahead of x's: compacting (when room runs out) moves x
    const next = share.update('x', (x) => {
      share.big = 'b'.repeat(200_000);
      return (x as number) + 1;
    });
    expect(next).toBe(2);
    expect(share.x).toBe(2);
    expect(share.w).toBe('w'.repeat(48_000));
    expect((share.big as string).length).toBe(200_000);
  });

  it('update() of plain data many times stays exact (rewritten in place)', () => {
    const share = new Share<{ obj: { n: number; tag: string; list: number[] } }>();
    share.obj = { n: 0, tag: 'é', list: [] };
    for (let i = 0; i < 1000; i++) share.update('obj', (obj) => ({ n: obj.n + 1, tag: obj.tag, list: i % 100 === 0 ? [...obj.list, i] : obj.list }));
    expect(share.obj).toStrictEqual({ n: 1000, tag: 'é', list: [0, 100, 200, 300, 400, 500, 600, 700, 800, 900] });
  });
});

describe('what a read returns', () => {
  function filled() {
    const share = new Share<{ list: number[]; map: Map<string, number>; set: Set<string>; when: Date; timer: Sktimer; cfg: { level: number; tags: string[] }; copy?: number[] }>();
    share.list = [1, 2];
    share.map = new Map([['a', 1]]);
    share.set = new Set(['x']);
    share.when = new Date(5);
    const timer = new Sktimer();
    timer.addTime(2);
    share.timer = timer;
    share.cfg = { level: 1, tags: ['t'] };
    return share;
  }

  it('a copy: a real Array, Map, Set, Date or class instance, new on every read', () => {
    const share = filled();
    const list = share.list;
    expect(Array.isArray(list)).toBe(true);
    expect(Object.getPrototypeOf(list)).toBe(Array.prototype);
    expect(share.list).not.toBe(list);
    expect(Object.getPrototypeOf(share.map)).toBe(Map.prototype);
    expect(Object.getPrototypeOf(share.set)).toBe(Set.prototype);
    expect(share.when).toBeInstanceOf(Date);
    expect(share.when.getTime()).toBe(5);
    expect(share.timer).toBeInstanceOf(Sktimer);
    expect(share.timer.mean).toBe(2);
  });

  it('can be iterated, compared and sent', () => {
    const share = filled();
    expect([...share.list]).toEqual([1, 2]);
    expect([...share.map]).toEqual([['a', 1]]);
    expect([...share.set]).toEqual(['x']);
    expect(share.list).toStrictEqual([1, 2]);
    expect(share.map).toStrictEqual(new Map([['a', 1]]));
    expect(share.cfg).toStrictEqual({ level: 1, tags: ['t'] });
    expect(Object.keys(share.list)).toEqual(['0', '1']); // the wired methods are not enumerable
    expect(structuredClone(share.list)).toStrictEqual([1, 2]);
    const sent = cucumber.deserialize(structuredClone(cucumber.serialize({ list: share.list, map: share.map, timer: share.timer }))) as {
      list: number[]; map: Map<string, number>; timer: Sktimer;
    };
    expect(sent.list).toStrictEqual([1, 2]);
    expect(sent.map).toStrictEqual(new Map([['a', 1]]));
    expect(sent.timer).toBeInstanceOf(Sktimer);
    expect(sent.timer.mean).toBe(2);
    share.copy = share.list;
    expect(share.copy).toStrictEqual([1, 2]);
  });

  it('calling a method on it acts on the stored value, and returns what the method returns there', () => {
    const share = filled();
    expect(share.list.push(3)).toBe(3);
    const copy = share.list;
    expect(copy.push(4)).toBe(4);
    expect(copy).toEqual([1, 2, 3]); // the copy is a copy
    expect(share.list).toEqual([1, 2, 3, 4]);
    expect(share.list.includes(4)).toBe(true);
    share.timer.addTime(4);
    expect(share.timer.mean).toBe(3);
  });

  it('a method that returns its receiver gives a copy wired the same way: chained calls act on the stored value', () => {
    const share = filled();
    share.map.set('b', 2).set('c', 3);
    expect([...share.map.keys()]).toEqual(['a', 'b', 'c']);
    share.set.add('y').add('z');
    expect([...share.set]).toEqual(['x', 'y', 'z']);
    expect(share.list.reverse().indexOf(1)).toBe(1);
    expect(share.list).toEqual([2, 1]);
  });

  it('writing a property of the copy changes only the copy; update() changes the stored value', () => {
    const share = filled();
    const cfg = share.cfg;
    cfg.level = 2;
    expect(cfg.level).toBe(2);
    expect(share.cfg.level).toBe(1);
    share.cfg.level = 3;
    share.cfg.tags.push('lost'); // a nested object's method acts on the copy it belongs to
    expect(share.cfg).toEqual({ level: 1, tags: ['t'] });
    share.update('cfg', (current) => ({ ...current, level: 2 }));
    expect(share.cfg.level).toBe(2);
  });
});
