/**
 * SK101 (a warning): an `@sk()` class or `sk()` function reads a module-level `let`/`var` that
 * the module reassigns. Each worker loads its own copy of the module, so it sees the value the
 * module starts with, not what the parent (or another worker) assigned since.
 */
import { describe, expect, it } from 'vitest';
import { col, lines, ROOT, transformerOf } from './helpers/transform.ts';

const run = transformerOf('src/state.ts');

describe('SK101: module state a worker does not share', () => {
  it('warns at the first read of a reassigned module-level let, once per binding, and still transforms', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      'let limit = 10;',
      'export function configure(n: number) { limit = n; }',
      '@sk()',
      'export class Poller extends Skprocess<number> {',
      '  __run__() { return limit + limit; }',
      '  __result__() { return limit; }',
      '}',
    );
    const result = run(code);
    expect(result.diagnostics).toHaveLength(1);
    const [warning] = result.diagnostics;
    expect(warning).toMatchObject({ code: 'SK101', severity: 'warning', file: `${ROOT}/src/state.ts`, line: 6, column: col(code, 6, 'limit') });
    expect(warning?.message).toContain('@sk() class "Poller" reads `limit`, a module-level `let` that this module reassigns (line 3)');
    expect(warning?.message).toMatch(/each worker .* own copy of the module/);
    expect(warning?.message).toMatch(/pass the value in .* or .* Share/);
    expect(result.registrations).toHaveLength(1);
  });

  it('covers var, sk() functions, and every form of reassignment', () => {
    const code = lines(
      "import { sk } from '@suitkaise/core';",
      'var calls = 0;',
      'let a = 1, b = 2;',
      'let c = 3;',
      'let d = 4;',
      'let e = 5;',
      'calls++;',
      '[a, b] = [b, a];',
      '({ c } = { c: 4 });',
      'for (d of [1, 2]) {}',
      'e ??= 6;',
      'export const f = sk((x: number) => x + calls + a + b + c + d + e);',
    );
    const result = run(code);
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.message.match(/reads `(\w+)`/)?.[1]])).toEqual(
      ['calls', 'a', 'b', 'c', 'd', 'e'].map((name) => ['SK101', 'warning', name]),
    );
    expect(result.diagnostics[0]?.message).toContain('sk() function "f" reads `calls`, a module-level `var`');
    expect(result.diagnostics[0]?.message).toContain('pass the value in as an argument');
  });

  it('counts a reassignment by the worker code itself', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      'let total = 0;',
      '@sk()',
      'export class Adder extends Skprocess<number> {',
      '  __run__() { total += 1; }',
      '}',
    );
    expect(run(code).diagnostics).toMatchObject([{ code: 'SK101', line: 5, column: col(code, 5, 'total') }]);
  });

  it('leaves constants, never-reassigned lets, shadowed names, property names and types alone', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      'const LIMIT = 10;',
      'let once = 1;',
      'let counter = 0;',
      'let shadowed = 0;',
      'let onlyOutside = 0;',
      'counter += 1; shadowed += 1; onlyOutside += 1;',
      'export function bump() { return onlyOutside; }',
      '@sk()',
      'export class Quiet extends Skprocess<number> {',
      '  counter = 0;',
      '  own: typeof counter = 0;',
      '  __run__() { const shadowed = 2; this.counter += LIMIT + once + shadowed; return { counter: this.counter }.counter; }',
      '}',
      'export const g = sk((shadowed: number) => shadowed + LIMIT);',
    );
    expect(run(code).diagnostics).toEqual([]);
  });
});
