/**
 * Unit tests of the Share pass of the pure transform: read-modify-writes of a `Share`'s
 * properties become one `update(key, fn)` call. Besides the output text, the output is run:
 * types stripped with `ts.transpileModule`, `@suitkaise/core` replaced by a fake `Share` whose
 * `update` records each call (the real Share is tested in packages/core).
 */
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import type { TransformResult } from '../src/index.ts';
import { lines, originalOf, reparse, ROOT, transformAt, transformerOf } from './helpers/transform.ts';

const run = transformerOf('src/share.ts');
const IMPORT = "import { Share } from '@suitkaise/core';";

/** What the fake Share and the module under test append to, in order. */
type Log = string[];

/** A stand-in for the runtime's Share: properties live on the object, `update` logs around `fn`. */
function fakeShareClass(log: Log) {
  return class FakeShare {
    [key: string]: unknown;
    update(key: string, fn: (current: unknown) => unknown): unknown {
      if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${typeof key}`);
      log.push(`update ${key}`);
      const next = fn(this[key]);
      this[key] = next;
      log.push('end');
      return next;
    }
  };
}

/** Run a transformed module (CommonJS after type stripping); it gets `log` as a global-like parameter. */
function execute(code: string): { exports: Record<string, unknown>; log: Log } {
  const log: Log = [];
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const exports: Record<string, unknown> = {};
  const require = (id: string): unknown => {
    if (id === '@suitkaise/core') return { Share: fakeShareClass(log) };
    throw new Error(`unexpected import ${id}`);
  };
  new Function('require', 'exports', 'log', js)(require, exports, log);
  return { exports, log };
}

/** Transform, check the output parses, run it. */
function transformAndRun(code: string): { result: TransformResult; exports: Record<string, unknown>; log: Log } {
  const result = run(code);
  expect(reparse(result.code).errors).toBe(0);
  return { result, ...execute(result.code) };
}

/** Count of `.update(` calls in the output. */
const updates = (code: string): number => code.split('.update(').length - 1;

const OPERATORS = ['+', '-', '*', '/', '%', '**', '<<', '>>', '>>>', '&', '|', '^', '&&', '||', '??'];

describe('Share pass: compound assignment', () => {
  for (const operator of OPERATORS) {
    for (const [initial, operand] of [['6', '3'], ['0', 'three'], ['null', 'three']] as const) {
      it(`share.x ${operator}= ${operand} (x = ${initial}) is one update with the value JS gives`, () => {
        const code = lines(
          IMPORT,
          'const three = 3;',
          'export const share = new Share();',
          `share.x = ${initial};`,
          `export const value = (share.x ${operator}= ${operand});`,
        );
        const { result, exports, log } = transformAndRun(code);
        expect(result.changed).toBe(true);
        expect(result.code).not.toContain(`${operator}=`);
        let expected: unknown = initial === 'null' ? null : Number(initial);
        expected = new Function('x', 'three', `return x ${operator}= ${operand}`)(expected, 3);
        expect(log).toEqual(['update x', 'end']);
        expect(exports.value).toEqual(expected);
        expect((exports.share as Record<string, unknown>).x).toEqual(expected);
      });
    }
  }

  it('emits the documented shapes', () => {
    const { code } = run(lines(
      IMPORT,
      'declare const share: Share;',
      'declare function f(): number;',
      'share.a += 1;',
      'share.b -= f();',
      'share.c ||= f();',
      'share.d ??= [];',
      'share.e &&= a ?? b;',
    ));
    expect(code).toContain('share.update("a", (__sk_v) => __sk_v + 1);');
    expect(code).toContain('share.update("b", ((__sk_r) => (__sk_v) => __sk_v - __sk_r)(f()));');
    expect(code).toContain('share.update("c", (__sk_v) => __sk_v || f());');
    expect(code).toContain('share.update("d", (__sk_v) => __sk_v ?? []);');
    expect(code).toContain('share.update("e", (__sk_v) => __sk_v && (a ?? b));');
  });

  it('evaluates an arithmetic operand once, before the update, and keeps it out of the callback', () => {
    const { exports, log } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      'share.n = 1;',
      "const f = () => { log.push('E'); return 10; };",
      'share.n += f();',
      'share.n = share.n * f();',
    ));
    expect(log).toEqual(['E', 'update n', 'end', 'E', 'update n', 'end']);
    expect((exports.share as Record<string, unknown>).n).toBe(110);
  });

  it('keeps short-circuiting for ||=, &&= and ??= (the operand runs inside the update, only when needed)', () => {
    const { exports, log } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      "const f = (v: unknown) => { log.push(`E ${String(v)}`); return v; };",
      'share.a = 1; share.b = 0; share.c = 0; share.d = 1; share.e = null; share.g = 0;',
      "share.a ||= f('a');",
      "share.b ||= f('b');",
      "share.c &&= f('c');",
      "share.d &&= f('d');",
      "share.e ??= f('e');",
      "share.g ??= f('g');",
    ));
    expect(log).toEqual([
      'update a', 'end',
      'update b', 'E b', 'end',
      'update c', 'end',
      'update d', 'E d', 'end',
      'update e', 'E e', 'end',
      'update g', 'end',
    ]);
    expect(exports.share).toMatchObject({ a: 1, b: 'b', c: 0, d: 'd', e: 'e', g: 0 });
  });

  it('leaves a logical assignment whose operand awaits or yields as it is (an update callback cannot suspend)', () => {
    const code = lines(
      IMPORT,
      'declare const share: Share;',
      'export async function f() { share.a ||= await Promise.resolve(1); share.b += await Promise.resolve(2); }',
      'export function* g() { share.c ??= yield 1; }',
    );
    const result = run(code);
    expect(result.code).toContain('share.a ||= await Promise.resolve(1);');
    expect(result.code).toContain('share.c ??= yield 1;');
    expect(result.code).toContain('share.update("b", ((__sk_r) => (__sk_v) => __sk_v + __sk_r)(await Promise.resolve(2)));');
  });

  it('compiles `x = x op e` only for the same receiver and key with x as the left operand', () => {
    const { result, exports } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      'const other = { x: 100 };',
      'share.x = 2; share.y = 3; share.z = 4; share.w = 5;',
      'share.x = share.x + 1;',
      'share.y = (share.y ** 2);',
      "share.z = share.z || 'never';",
      'share.w = 1 + share.w;',
      'share.v = other.x + 1;',
      'share.u = share.x + share.y + 1;',
    ));
    expect(result.code).toContain('share.update("x", (__sk_v) => __sk_v + 1);');
    expect(result.code).toContain('share.update("y", (__sk_v) => __sk_v ** 2);');
    expect(result.code).toContain('share.w = 1 + share.w;');
    expect(result.code).toContain('share.v = other.x + 1;');
    expect(result.code).toContain('share.u = share.x + share.y + 1;');
    expect(exports.share).toMatchObject({ x: 3, y: 9, z: 4, w: 6, v: 101, u: 13 });
  });

  it('handles nested updates (inner first)', () => {
    const { result, exports, log } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      'share.a = 1; share.b = 2; share.c = 0; share.d = 5;',
      'share.a += share.b += 10;',
      'share.c ||= share.d++;',
    ));
    expect(updates(result.code)).toBe(4);
    expect(log).toEqual(['update b', 'end', 'update a', 'end', 'update c', 'update d', 'end', 'end']);
    expect(exports.share).toMatchObject({ a: 13, b: 12, c: 5, d: 6 });
  });
});

describe('Share pass: computed keys', () => {
  it('passes the key as a string, evaluated once, in source order', () => {
    const { result, exports, log } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      "share.x = 1; share['0'] = 1; share.y = 1; share.z = 1;",
      "const key = () => { log.push('key'); return 'y'; };",
      "const e = () => { log.push('E'); return 5; };",
      "share['x'] += 1;",
      'share[0] *= 7;',
      'share[key()] += e();',
      "const k = 'z';",
      'share[k] = share[k] - 1;',
      'export const old = share[k]++;',
    ));
    expect(result.code).toContain('share.update(\'x\', (__sk_v) => __sk_v + 1);');
    expect(result.code).toContain('share.update("0", (__sk_v) => __sk_v * 7);');
    expect(result.code).toContain('share.update(`${key()}`, ((__sk_r) => (__sk_v) => __sk_v + __sk_r)(e()));');
    expect(result.code).toContain('share.update(`${k}`, (__sk_v) => __sk_v - 1);');
    expect(log).toEqual(['update x', 'end', 'update 0', 'end', 'key', 'E', 'update y', 'end', 'update z', 'end', 'update z', 'end']);
    expect(exports.share).toMatchObject({ x: 2, 0: 7, y: 6, z: 1 });
    expect(exports.old).toBe(0);
  });
});

describe('Share pass: ++ and --', () => {
  it('prefix and unused postfix become the same update; a used postfix still gives the old value', () => {
    const { result, exports } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      "share.n = 5; share.b = 5n; share.s = '5'; share.i = 0;",
      'share.n++;',
      '--share.n;',
      'export const pre = ++share.n;',
      'export const post = share.n++;',
      'export const postDown = share.n--;',
      'export const bigPost = share.b++;',
      'export const bigPre = --share.b;',
      'export const stringPost = share.s++;',
      'for (let j = 0; j < 3; share.i++) j++;',
      'void share.i++;',
      'export const comma = (share.i++, share.i++);',
    ));
    expect(result.code).toContain('share.update("n", (__sk_v) => ++__sk_v);\nshare.update("n", (__sk_v) => --__sk_v);');
    expect(result.code).toContain('export const post = ((__sk_o) => (share.update("n", (__sk_v) => (__sk_o = __sk_v++, __sk_v)), __sk_o))();');
    expect(result.code).toContain('for (let j = 0; j < 3; share.update("i", (__sk_v) => ++__sk_v)) j++;');
    expect(result.code).toContain('void share.update("i", (__sk_v) => ++__sk_v);');
    expect(result.code).toContain('export const comma = (share.update("i", (__sk_v) => ++__sk_v), ((__sk_o) =>');
    expect(exports).toMatchObject({ pre: 6, post: 6, postDown: 7, bigPost: 5n, bigPre: 5n, stringPost: 5, comma: 5 });
    expect(exports.share).toMatchObject({ n: 6, b: 5n, s: 6, i: 6 });
  });

  it('guards a used postfix at the start of a statement against joining the previous line', () => {
    const code = lines(
      IMPORT,
      'export const share = new Share();',
      'share.n = 1',
      'export let seen = 0',
      'share.n++ > 0 && (seen = 1)',
      'if (share.n) share.n++ > 0 && (seen += 1)',
    );
    const { result, exports } = transformAndRun(code);
    expect(result.code).toContain('\n;((__sk_o) => (share.update("n"');
    expect(result.code).toContain('if (share.n) ((__sk_o) => (share.update("n"');
    expect(exports.seen).toBe(2);
    expect(exports.share).toMatchObject({ n: 3 });
  });
});

describe('Share pass: which values are Shares', () => {
  const rewrites = (code: string): number => updates(run(code).code);

  it('follows aliases, namespace imports, type-only imports, generics, unions and local type aliases', () => {
    expect(rewrites(lines("import { Share as S } from '@suitkaise/core';", 'const s = new S<{ n: number }>();', 's.n += 1;'))).toBe(1);
    expect(rewrites(lines("import * as core from '@suitkaise/core';", 'const s = new core.Share();', 's.n += 1;'))).toBe(1);
    expect(rewrites(lines("import * as core from '@suitkaise/core';", 'declare const s: core.Share<{ n: number }>;', 's.n += 1;'))).toBe(1);
    expect(rewrites(lines("import type * as core from '@suitkaise/core';", 'export function f(s: core.Share) { s.n += 1; }'))).toBe(1);
    expect(rewrites(lines("import type { Share } from '@suitkaise/core';", 'export function f(s: Share<{ n: number }>) { s.n++; }'))).toBe(1);
    expect(rewrites(lines("import { type Share as T } from '@suitkaise/core';", 'let s: T | undefined;', 's!.n -= 1;'))).toBe(1);
    expect(rewrites(lines(IMPORT, 'type Counters = Share<{ n: number }> & { extra?: 1 };', 'type C = Counters;', 'declare const s: C;', 's.n *= 2;'))).toBe(1);
    expect(rewrites(lines(IMPORT, 'const s = (new Share() as Share<{ n: number }>);', 's.n += 1;'))).toBe(1);
    expect(rewrites(lines(IMPORT, 'interface Bag { s: Share }', 'export function f(bag: Bag) { bag.s.n += 1; }'))).toBe(1);
    expect(rewrites(lines(IMPORT, 'const bag = { s: new Share() };', 'bag.s.n += 1;'))).toBe(1);
  });

  it('rewrites this.share in a class with a Share field, initializer, parameter property or #private field', () => {
    const { result, exports } = transformAndRun(lines(
      "import { Share, Skprocess } from '@suitkaise/core';",
      'export class A {',
      '  declare typed: Share<{ n: number }>;',
      '  made = new Share();',
      '  #hidden = new Share();',
      '  static shared = new Share();',
      '  constructor(public readonly param: Share) { param.n = 0; this.made.n = 0; this.#hidden.n = 0; }',
      '  run() {',
      '    this.param.n += 1;',
      '    this.made.n++;',
      '    this.#hidden.n -= 1;',
      '    const later = () => { this.param.n = this.param.n + 10; };',
      '    later();',
      '    A.shared.n = (A.shared.n ?? 0) + 1;',
      '    A.shared.m ??= 7;',
      '    return this.#hidden.n;',
      '  }',
      '}',
      'const share = new Share();',
      'export const a = new A(share);',
      'export const hidden = a.run();',
    ));
    expect(updates(result.code)).toBe(5); // not `A.shared.n = (A.shared.n ?? 0) + 1` (the left operand is not A.shared.n)
    expect(exports.hidden).toBe(-1);
    expect((exports.a as { param: unknown }).param).toMatchObject({ n: 11 });
    expect((exports.a as { made: unknown }).made).toMatchObject({ n: 1 });
  });

  it('leaves everything that is not declared as a Share untouched', () => {
    const code = lines(
      IMPORT,
      "import { Share as Other } from 'somewhere-else';",
      'const plain = { x: 1 };',
      'plain.x += 1;',
      'plain.x++;',
      'plain.x = plain.x + 1;',
      'export function f(untyped: any, other: Other) { untyped.x += 1; other.x += 1; }',
      'const share = new Share();',
      'export function g() { const share = { x: 1 }; share.x += 1; return share; }',
      'const { s } = { s: new Share() };',
      's.x += 1;',
      'share.inner.x += 1;',
      'share.x > 1;',
      'share.x == 1;',
    );
    const result = run(code);
    expect(result).toMatchObject({ changed: false, code, map: null });
  });

  it('leaves a module that does not import Share (or a core namespace) alone', () => {
    const code = lines("import { sk } from '@suitkaise/core';", 'declare const share: { x: number };', 'share.x += 1;');
    expect(run(code)).toMatchObject({ changed: false, code });
  });

  it('avoids temporaries that the module already uses', () => {
    const { result, exports } = transformAndRun(lines(
      IMPORT,
      'export const share = new Share();',
      'const __sk_v = 100;',
      'share.x = 1;',
      'share.x ||= __sk_v;',
      'share.y = 0;',
      'share.y ||= __sk_v;',
    ));
    expect(result.code).toContain('share.update("y", (__sk_v1) => __sk_v1 || __sk_v);');
    expect(exports.share).toMatchObject({ x: 1, y: 100 });
  });
});

describe('Share pass: plumbing', () => {
  it('rewrites a module with no @sk(), with a source map that maps the operand back', () => {
    const code = lines(IMPORT, 'export const share = new Share();', 'share.total += compute(1, 2);');
    const result = run(code);
    expect(result.changed).toBe(true);
    expect(result.registrations).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.map).not.toBeNull();
    expect(result.map?.sources).toEqual([`${ROOT}/src/share.ts`]);
    const out = result.code.split('\n')[2] ?? '';
    expect(out).toBe('share.update("total", ((__sk_r) => (__sk_v) => __sk_v + __sk_r)(compute(1, 2)));');
    // `compute(` in the output maps to `compute(` on line 3 of the input.
    expect(originalOf(result.map?.mappings ?? '', 2, out.indexOf('compute('))).toEqual([2, code.split('\n')[2]?.indexOf('compute(')]);
  });

  it('works next to @sk() classes and in the pruned worker-module target', () => {
    const code = lines(
      "import { sk, Skprocess, Share } from '@suitkaise/core';",
      '@sk()',
      'export class Counter extends Skprocess {',
      '  constructor(private share: Share<{ count: number }>) { super(); }',
      '  __run__() { this.share.count += 1; }',
      '}',
      'const share = new Share();',
      'share.count = 0',
      'share.count++',
      'console.log(share.count++)',
    );
    const module = run(code);
    expect(module.registrations).toHaveLength(1);
    expect(module.code).toContain('__run__() { this.share.update("count", (__sk_v) => __sk_v + 1); }');
    expect(updates(module.code)).toBe(3);
    const worker = run(code, { target: 'worker-module' });
    expect(worker.code).toContain('__run__() { this.share.update("count", (__sk_v) => __sk_v + 1); }');
    expect(updates(worker.code)).toBe(1);
    expect(worker.code).not.toContain('__sk_o');
    expect(worker.code).not.toContain('console.log');
    expect(reparse(worker.code).errors).toBe(0);
  });

  it('works in plain JavaScript modules', () => {
    const code = lines(IMPORT, 'export const share = new Share();', 'share.n = 1;', 'share.n <<= 3;', 'export const old = share.n--;');
    const result = transformAt(code, 'src/share.js');
    expect(result.code).toContain('share.update("n", (__sk_v) => __sk_v << 3);');
    const { exports } = execute(result.code);
    expect(exports.old).toBe(8);
    expect(exports.share).toMatchObject({ n: 7 });
  });
});
