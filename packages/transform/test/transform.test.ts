/**
 * Unit tests of the pure transform (Node only: it runs ts-morph). Input modules live in
 * `fixtures/*.ts.txt` (not `.ts`, so the repository's type check does not check code that is
 * deliberately wrong or imports modules that do not exist) or inline where line and column matter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transform } from '../src/index.ts';
import { col, lines, originalPositionOf, positionIn, reparse, ROOT, transformAt as run } from './helpers/transform.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}.ts.txt`, import.meta.url), 'utf8');

describe('module target: @sk() classes', () => {
  it('replaces the decorator with one registration statement with a root-relative id and a literal worker URL', () => {
    const result = run(fixture('counter'), 'src/counter.ts');
    expect(result.changed).toBe(true);
    expect(result.diagnostics).toEqual([]);
    expect(result.registrations).toEqual([{ id: 'src/counter.ts#Counter', exportName: 'Counter', kind: 'class', process: true }]);
    expect(result.code).toContain(
      '__sk_register(Counter, { id: "src/counter.ts#Counter", moduleUrl: import.meta.url, exportName: "Counter", ' +
      'browserWorker: () => new Worker(new URL("../__suitkaise_worker__.js?sk-worker", import.meta.url), { type: "module", name: "src/counter.ts#Counter" }) });',
    );
    expect(result.code.startsWith('import { register as __sk_register } from "@suitkaise/core/internal";\n')).toBe(true);
    expect(result.code.match(/__sk_register\(/g)).toHaveLength(1);
    expect(result.code.match(/import \{ register as __sk_register \}/g)).toHaveLength(1);
    expect(result.code).not.toContain('@sk');
    expect(result.code).toContain("import { sk, Skprocess } from '@suitkaise/core';\n\nexport class Counter extends Skprocess<number> {");
    // The registration follows the class directly.
    expect(result.code).toMatch(/return this\.count; }\n}\n__sk_register\(Counter/);
  });

  it('produces valid TypeScript with no decorators left', () => {
    for (const name of ['counter', 'default-export', 'chains', 'alias']) {
      const { code } = run(fixture(name), `src/${name}.ts`);
      const parsed = reparse(code);
      expect(parsed.errors, name).toBe(0);
      expect(parsed.decorators, name).toBe(name === 'alias' ? 1 : 0); // alias keeps the foreign @sk()
    }
  });

  it('names an anonymous default-exported class and registers it as "default"', () => {
    const result = run(fixture('default-export'), 'src/jobs/default-export.ts');
    expect(result.registrations).toEqual([{ id: 'src/jobs/default-export.ts#default', exportName: 'default', kind: 'class', process: true }]);
    expect(result.code).toContain('export default class __sk_default extends Skprocess<string> {');
    expect(result.code).toContain(
      '__sk_register(__sk_default, { id: "src/jobs/default-export.ts#default", moduleUrl: import.meta.url, exportName: "default", ' +
      'browserWorker: () => new Worker(new URL("../../__suitkaise_worker__.js?sk-worker", import.meta.url), { type: "module", name: "src/jobs/default-export.ts#default" }) });',
    );
  });

  it('uses the export name of `export default class Name`, `export { X as Y }` and `export default X`', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      '@sk() export default class Named extends Skprocess {}',
      '@sk() class Renamed {}',
      'export { Renamed as Public };',
    );
    const result = run(code, 'src/forms.ts');
    expect(result.diagnostics).toEqual([]);
    expect(result.registrations.map((r) => r.id)).toEqual(['src/forms.ts#default', 'src/forms.ts#Public']);
    expect(result.code).toContain('export default class Named extends Skprocess {}\n__sk_register(Named, { id: "src/forms.ts#default", moduleUrl: import.meta.url, exportName: "default", browserWorker');
    expect(result.code).toContain('{ type: "module", name: "src/forms.ts#default" })');
    expect(result.code).toContain('class Renamed {}\n__sk_register(Renamed, { id: "src/forms.ts#Public", moduleUrl: import.meta.url, exportName: "Public" });');

    const later = run(lines("import { sk } from '@suitkaise/core';", '@sk()', 'class Later {}', 'export default Later;'), 'src/later.ts');
    expect(later.diagnostics).toEqual([]);
    expect(later.registrations).toEqual([{ id: 'src/later.ts#default', exportName: 'default', kind: 'class', process: false }]);
  });

  it('respects `import { sk as mark }` and ignores an `sk` from another module or a shadowing parameter', () => {
    const result = run(fixture('alias'), 'src/alias.ts');
    expect(result.registrations).toEqual([{ id: 'src/alias.ts#Aliased', exportName: 'Aliased', kind: 'class', process: true }]);
    expect(result.code).not.toContain('@mark');
    expect(result.code).toContain('@sk()\nexport class NotOurs');
    expect(result.code).not.toContain('__sk_register(NotOurs');

    const shadowed = run(lines(
      "import { sk } from '@suitkaise/core';",
      'export function apply(sk: (f: () => number) => number) { return sk(() => 1); }',
    ), 'src/shadow.ts');
    expect(shadowed).toMatchObject({ changed: false, diagnostics: [], registrations: [], map: null });
  });

  it('recognises a namespace import of @suitkaise/core', () => {
    const result = run(lines(
      "import * as suit from '@suitkaise/core';",
      '@suit.sk()',
      'export class Job extends suit.Skprocess {}',
      'export const triple = suit.sk((x: number) => 3 * x);',
    ), 'src/ns.ts');
    expect(result.diagnostics).toEqual([]);
    expect(result.registrations).toEqual([
      { id: 'src/ns.ts#Job', exportName: 'Job', kind: 'class', process: true },
      { id: 'src/ns.ts#triple', exportName: 'triple', kind: 'function', process: false },
    ]);
    expect(result.code).toContain('new URL("../__suitkaise_worker__.js?sk-worker", import.meta.url)');
  });

  it('accepts a bare `@sk` and `export @sk() class`, and parses .tsx modules', () => {
    const result = run(lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      '@sk',
      'export class Bare extends Skprocess {}',
      'export @sk() class After {}',
      'export const view = () => <div class="x">{Bare.name}</div>;',
    ), 'src/view.tsx');
    expect(result.diagnostics).toEqual([]);
    expect(result.registrations.map((r) => [r.exportName, r.process])).toEqual([['Bare', true], ['After', false]]);
    expect(result.code).toContain('\nexport class Bare extends Skprocess {}\n__sk_register(Bare, ');
    expect(result.code).toContain('\nexport class After {}\n__sk_register(After, ');
    expect(result.code).toContain('new URL("../__suitkaise_worker__.js?sk-worker", import.meta.url)');
  });

  it('follows the extends chain: local chain to Skprocess, plain classes, imported bases, other core classes', () => {
    const result = run(fixture('chains'), 'src/chains.ts');
    const processOf = Object.fromEntries(result.registrations.map((r) => [r.exportName, r.process]));
    expect(processOf).toEqual({ Deep: true, Point: false, FromPlain: false, FromImport: true, TimerLike: false });
    expect(result.code).toContain('__sk_register(Point, { id: "src/chains.ts#Point", moduleUrl: import.meta.url, exportName: "Point" });');
    expect(result.code).toContain('__sk_register(FromPlain, { id: "src/chains.ts#FromPlain", moduleUrl: import.meta.url, exportName: "FromPlain" });');
    expect(result.code).toMatch(/__sk_register\(Deep, \{[^\n]*browserWorker: \(\) => new Worker\(new URL\("\.\.\/__suitkaise_worker__\.js\?sk-worker", import\.meta\.url\)/);
    expect(result.code).toMatch(/__sk_register\(FromImport, \{[^\n]*browserWorker/);
    expect(result.code).not.toMatch(/__sk_register\(TimerLike, \{[^\n]*browserWorker/);
  });

  it('honours browserWorkers: false and runtimeModule', () => {
    const result = run(fixture('counter'), 'src/counter.ts', { browserWorkers: false, runtimeModule: '/@suitkaise/runtime.js' });
    expect(result.code).toContain('import { register as __sk_register } from "/@suitkaise/runtime.js";');
    expect(result.code).toContain('__sk_register(Counter, { id: "src/counter.ts#Counter", moduleUrl: import.meta.url, exportName: "Counter" });');
    expect(result.registrations[0]?.process).toBe(true);
  });
});

describe('module target: sk() functions', () => {
  it('registers each `export const name = sk(...)` after its statement and keeps the sk() call', () => {
    const result = run(fixture('math'), 'src/math.ts');
    expect(result.diagnostics).toEqual([]);
    expect(result.registrations).toEqual([
      { id: 'src/math.ts#square', exportName: 'square', kind: 'function', process: false },
      { id: 'src/math.ts#add', exportName: 'add', kind: 'function', process: false },
    ]);
    // Functions get a browser worker thunk too: a Pool spawns its workers from the first registration it maps.
    const worker = 'browserWorker: () => new Worker(new URL("../__suitkaise_worker__.js?sk-worker", import.meta.url), { type: "module", name: "src/math.ts#square" })';
    expect(result.code).toContain(
      'export const square = sk((x: number) => x * x);\n' +
      `__sk_register(square, { id: "src/math.ts#square", moduleUrl: import.meta.url, exportName: "square", ${worker} });`,
    );
    expect(result.code).toContain('  return a + b;\n});\n__sk_register(add, { id: "src/math.ts#add", moduleUrl: import.meta.url, exportName: "add", ');
    expect(reparse(result.code).errors).toBe(0);
  });
});

describe('module target: exported function declarations mapped by a Pool', () => {
  const code = lines(
    "import { Pool } from '@suitkaise/core';",
    'export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }',
    'function hidden(n: number): number { return n; }',
    'export function untouched(n: number): number { return n; }',
    'function renamed(n: number): number { return n; }',
    'export { renamed as aliased };',
    'export default function (n: number): number { return n; }',
    'export async function all(pool: Pool, xs: number[]) {',
    '  await pool.star().unorderedImap(hidden, xs);',
    '  await pool.imap(renamed, xs);',
    '  return pool.map(fib, xs);',
    '}',
  );

  it('registers an exported function declaration the module passes straight to a Pool method, under its export name', () => {
    const result = run(code, 'src/fib.ts');
    expect(result.diagnostics).toEqual([]);
    expect(result.registrations).toEqual([
      { id: 'src/fib.ts#fib', exportName: 'fib', kind: 'function', process: false },
      { id: 'src/fib.ts#aliased', exportName: 'aliased', kind: 'function', process: false },
    ]);
    expect(result.code).toContain('fib(n - 2); }\n__sk_register(fib, { id: "src/fib.ts#fib", moduleUrl: import.meta.url, exportName: "fib", ');
    expect(reparse(result.code).errors).toBe(0);
  });

  it('keeps them (and drops what nothing mapped uses) in the worker module', () => {
    const result = run(code, 'src/fib.ts', { target: 'worker-module' });
    expect(result.code).toContain('export function fib(');
    expect(result.code).toContain('function renamed(');
    expect(result.code).not.toContain('function untouched(');
    expect(result.code).not.toContain('async function all(');
  });

  it('registers no function the module does not pass to a map method', () => {
    const plain = lines("import { sk } from '@suitkaise/core';", 'export function f(n: number) { return n; }', 'export const g = [1].map((n) => f(n));');
    expect(run(plain, 'src/plain.ts').registrations).toEqual([]);
  });
});

describe('fast exit', () => {
  it('returns the input untouched, without parsing, when the module does not mention @suitkaise/core', () => {
    const code = lines("import { sk } from './local.ts';", '@sk()', 'export class A {}', 'export const f = sk(() => 1);');
    expect(run(code, 'src/a.ts')).toEqual({ code, map: null, diagnostics: [], registrations: [], changed: false });
    // Not even parsed: a syntax error goes unnoticed.
    const broken = 'export const = = (';
    expect(run(broken, 'src/b.ts')).toEqual({ code: broken, map: null, diagnostics: [], registrations: [], changed: false });
  });

  it('reports no change for a module that imports @suitkaise/core but uses no sk', () => {
    const code = "import { Sktimer } from '@suitkaise/core';\nexport const t = new Sktimer();\n";
    expect(run(code, 'src/t.ts')).toEqual({ code, map: null, diagnostics: [], registrations: [], changed: false });
  });
});

describe('diagnostics', () => {
  it('SK001: a top-level @sk() class or sk() const that is not exported', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      '',
      '@sk()',
      'class Hidden extends Skprocess {}',
      'const square = sk((x: number) => x * x);',
    );
    const result = run(code, 'src/hidden.ts');
    expect(result.diagnostics).toHaveLength(2);
    const [cls, fn] = result.diagnostics;
    expect(cls).toMatchObject({ code: 'SK001', severity: 'error', file: `${ROOT}/src/hidden.ts`, line: 3, column: 1 });
    expect(cls?.message).toContain('"Hidden" is not exported');
    expect(cls?.message).toMatch(/export it/);
    expect(fn).toMatchObject({ code: 'SK001', line: 5, column: 16 });
    expect(fn?.message).toMatch(/export it: `export const square = sk\(\.\.\.\)`/);
    // Best effort: decorator gone, nothing registered, still valid code.
    expect(result.registrations).toEqual([]);
    expect(result.code).not.toContain('@sk');
    expect(reparse(result.code).errors).toBe(0);
  });

  it('SK002: an @sk() class or sk() call that is not at module top level', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      'export function setup() {',
      '  @sk()',
      '  class Local extends Skprocess {}',
      '  return [Local, sk((x: number) => x)];',
      '}',
      'export const listed = [sk((x: number) => x + 1)];',
      'export let mutable = sk((x: number) => x);',
    );
    const result = run(code, 'src/nested.ts');
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['SK002', 3, 3],
      ['SK002', 5, col(code, 5, 'sk(')],
      ['SK002', 7, col(code, 7, 'sk(')],
      ['SK002', 8, col(code, 8, 'sk(')],
    ]);
    for (const d of result.diagnostics) expect(d.message).toContain('move it to module top level and export it');
    expect(result.diagnostics[0]?.message).toContain('inside function "setup"');
    expect(result.diagnostics[2]?.message).toContain('not the direct initializer of a top-level const');
    expect(result.registrations).toEqual([]);
    expect(result.code).not.toContain('@sk');
  });

  it('SK003: a nested class or sk function that reads locals of its enclosing function, once per name', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      'const TOP = 1;',
      'export function setup<T>(limit: number, { scale }: { scale: number }) {',
      '  const offset = 2;',
      '  @sk()',
      '  class Local extends Skprocess<T> {',
      '    own = TOP;',
      '    __run__(step: number) { const mine = step; return mine + limit + offset + limit + scale; }',
      '  }',
      '  return Local;',
      '}',
      'export function makeScaler(factor: number) {',
      '  return sk((x: number) => x * factor + TOP);',
      '}',
    );
    const result = run(code, 'src/capture.ts');
    const summary = result.diagnostics.map((d) => [d.code, d.line, d.column]);
    expect(summary).toEqual([
      ['SK002', 5, 3],
      ['SK003', 8, col(code, 8, 'limit')],
      ['SK003', 8, col(code, 8, 'offset')],
      ['SK003', 8, col(code, 8, 'scale')],
      ['SK002', 13, col(code, 13, 'sk(')],
      ['SK003', 13, col(code, 13, 'factor')],
    ]);
    const sk003 = result.diagnostics.filter((d) => d.code === 'SK003');
    expect(sk003[0]?.message).toContain('reads "limit", a parameter of function "setup"');
    expect(sk003[1]?.message).toContain('reads "offset", a local variable of function "setup"');
    expect(sk003[2]?.message).toContain('"scale", a parameter of function "setup"');
    expect(sk003[3]?.message).toContain('sk() function reads "factor", a parameter of function "makeScaler"');
    for (const d of sk003) expect(d.message).toMatch(/move "\w+" to module top level or pass its value in/);
  });
});

describe('worker-module target', () => {
  const source = fixture('worker-app');
  const result = run(source, 'src/worker-app.ts', { target: 'worker-module' });

  it('drops top-level side effects and what only they use', () => {
    expect(result.code).not.toContain('main()');
    expect(result.code).not.toContain('function main');
    expect(result.code).not.toContain('document.');
    expect(result.code).not.toContain("describe('sampler'");
    expect(result.code).not.toContain('.start()');
    expect(result.code).not.toContain('new Pool()');
    expect(result.code).not.toContain('let started');
    expect(result.code).not.toContain('function unrelated');
    expect(result.code).not.toContain('export { pool }');
  });

  it('drops unreferenced imports and specifiers but keeps side-effect imports and referenced bindings', () => {
    expect(result.code).not.toContain("from 'vitest'");
    expect(result.code).not.toContain('./dom.ts');
    expect(result.code).toContain("import clamp, { lerp } from './numbers.ts';");
    expect(result.code).toContain("import * as fmt from './format.ts';");
    expect(result.code).toContain("import { sk, Skprocess } from '@suitkaise/core';");
    expect(result.code).toContain("import 'reflect-metadata';");
    expect(result.code).toContain("import type { Options } from './options.ts';");
  });

  it('keeps the classes, functions, the helpers and constants they reach, and their exports', () => {
    expect(result.code).toContain('const LIMIT = 10;');
    expect(result.code).toContain('const scale = (x: number): number => lerp(0, LIMIT, x);');
    expect(result.code).toContain('function label(n: number): string {');
    expect(result.code).toContain('interface Sample {');
    expect(result.code).toContain('export class Sampler extends Skprocess<Sample> {');
    expect(result.code).toContain('export const double = sk((x: number) => x * 2);');
    expect(result.code).toContain('export { Sampler as DefaultSampler };');
    expect(result.code.startsWith('#!/usr/bin/env node\nimport { register as __sk_register } from "@suitkaise/core/internal";\n')).toBe(true);
  });

  it('registers as the module target does, without browserWorker', () => {
    expect(result.registrations).toEqual([
      { id: 'src/worker-app.ts#Sampler', exportName: 'Sampler', kind: 'class', process: true },
      { id: 'src/worker-app.ts#double', exportName: 'double', kind: 'function', process: false },
    ]);
    expect(result.code).toContain('__sk_register(Sampler, { id: "src/worker-app.ts#Sampler", moduleUrl: import.meta.url, exportName: "Sampler" });');
    expect(result.code).not.toContain('browserWorker');
    expect(run(source, 'src/worker-app.ts', { target: 'worker-module', browserWorkers: true }).code).not.toContain('browserWorker');
    const parsed = reparse(result.code);
    expect(parsed).toEqual({ errors: 0, decorators: 0 });
  });
});

describe('source map', () => {
  it('maps lines of the class back to their original lines (module target)', () => {
    const code = fixture('counter');
    const result = run(code, 'src/counter.ts');
    expect(result.map?.sources).toEqual([`${ROOT}/src/counter.ts`]);
    expect(result.map?.sourcesContent?.[0]).toBe(code);
    expect(result.map?.mappings.length).toBeGreaterThan(0);
    for (const snippet of ['export class Counter', 'this.processConfig.runs = target;', '__result__() {']) {
      expect(originalPositionOf(result, snippet), snippet).toEqual(positionIn(code, snippet));
    }
  });

  it('maps lines back across removed statements (worker-module target)', () => {
    const code = fixture('worker-app');
    const result = run(code, 'src/worker-app.ts', { target: 'worker-module' });
    for (const snippet of ['__result__(): Sample', 'export const double', 'return fmt.pad', 'export { Sampler as DefaultSampler }']) {
      const [line] = positionIn(result.code, snippet);
      expect(line).not.toBe(positionIn(code, snippet)[0]); // lines really moved
      expect(originalPositionOf(result, snippet), snippet).toEqual(positionIn(code, snippet));
    }
  });
});

describe('options', () => {
  it('throws a TypeError naming a malformed option', () => {
    expect(() => transform('', '/a.ts', { root: '' })).toThrow(/options\.root/);
    expect(() => transform('', '/a.ts', { root: '/', target: 'worker' as 'module' })).toThrow(/options\.target must be 'module' or 'worker-module'/);
  });

  it('ignores a ?query on the id and accepts Windows separators', () => {
    const result = transform(fixture('counter'), 'C:\\work\\app\\src\\counter.ts?v=123', { root: 'C:\\work\\app' });
    expect(result.registrations[0]?.id).toBe('src/counter.ts#Counter');
    expect(result.code).toContain('new URL("../__suitkaise_worker__.js?sk-worker", import.meta.url)');
  });
});

describe('a ~300-line module', () => {
  it('transforms in reasonable time (logged, not asserted)', () => {
    const parts = ["import { sk, Skprocess } from '@suitkaise/core';", "import { helper } from './helper.ts';", ''];
    for (let i = 0; i < 20; i++) {
      parts.push(
        `const LIMIT_${i} = ${i};`,
        `function helper${i}(x: number): number {`,
        `  return helper(x) + LIMIT_${i};`,
        '}',
        '@sk()',
        `export class Job${i} extends Skprocess<number> {`,
        '  total = 0;',
        `  __run__() { this.total += helper${i}(this.total); }`,
        '  __result__() { return this.total; }',
        '}',
        `export const fn${i} = sk((x: number) => helper${i}(x) * 2);`,
        `console.log('loaded', ${i});`,
        '',
        '',
      );
    }
    const code = parts.join('\n');
    const times: string[] = [];
    for (const target of ['module', 'worker-module', 'module'] as const) {
      const start = performance.now();
      const result = run(code, 'src/big.ts', { target });
      times.push(`${target} ${(performance.now() - start).toFixed(1)} ms`);
      expect(result.registrations).toHaveLength(40);
      expect(result.diagnostics).toEqual([]);
    }
    console.info(`transform of a ${code.split('\n').length}-line module: ${times.join(', ')}`);
  });
});
