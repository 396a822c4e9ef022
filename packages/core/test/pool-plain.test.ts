// Which item arrays skip the serializer: a pure function, a table.
import { describe, expect, it } from 'vitest';
import { allPlain, packValues, unpackValues } from '../src/pool/plain.ts';

describe('allPlain', () => {
  it.each([
    ['numbers, strings, booleans, bigints, null, undefined', [1, -0, NaN, 'a', true, 10n, null, undefined], true],
    ['empty', [], true],
    ['an object', [1, { a: 1 }], false],
    ['an array (a star() tuple)', [[1, 2]], false],
    ['a Date', [new Date(0)], false],
    ['a symbol', [Symbol.for('x')], false],
    ['a function', [() => 1], false],
  ] as Array<[string, unknown[], boolean]>)('%s', (_name, values, expected) => {
    expect(allPlain(values)).toBe(expected);
  });

  it('packs plain values as they are and others through the serializer, and unpacks both', () => {
    const plain = packValues([1, 'b']);
    expect(plain).toEqual({ values: [1, 'b'], plain: true });
    const rich = packValues([new Date(5), 1]);
    expect(rich.plain).toBe(false);
    expect(unpackValues(structuredClone(rich.values), rich.plain)).toEqual([new Date(5), 1]);
  });
});
