/**
 * The `@autoreconnect(...)` pass: the decorator becomes `__sk_autoreconnect(Class, options)` after
 * the class, with aliases and namespace imports respected, and survives the worker-module prune.
 */
import { describe, expect, it } from 'vitest';
import { lines, reparse, transformerOf } from './helpers/transform.ts';

const run = transformerOf('src/report.ts', { browserWorkers: false });

const IMPORT = 'import { autoreconnect as __sk_autoreconnect } from "@suitkaise/core";';

describe('transform: @autoreconnect', () => {
  it('replaces the decorator with a call after the class, next to the @sk() registration', () => {
    const result = run(lines(
      "import { autoreconnect, sk, Skprocess } from '@suitkaise/core';",
      "@autoreconnect({ startThreads: false, 'pg.Client': { '*': PASSWORD, analyticsDb: 'other' } })",
      '@sk()',
      'export class Report extends Skprocess {',
      '  __run__() {}',
      '}',
      "const PASSWORD = 'secret';",
    ));
    expect(result.diagnostics).toEqual([]);
    expect(result.code).toContain(IMPORT);
    expect(result.code).toContain(lines(
      'export class Report extends Skprocess {',
      '  __run__() {}',
      '}',
      '__sk_register(Report, { id: "src/report.ts#Report", moduleUrl: import.meta.url, exportName: "Report" });',
      "__sk_autoreconnect(Report, { startThreads: false, 'pg.Client': { '*': PASSWORD, analyticsDb: 'other' } });",
    ));
    expect(reparse(result.code)).toEqual({ errors: 0, decorators: 0 });
  });

  it('respects aliases and namespace imports, and ignores an autoreconnect from elsewhere', () => {
    const aliased = run(lines(
      "import { autoreconnect as reconnectWith, sk, Skprocess } from '@suitkaise/core';",
      "@reconnectWith({ 'ioredis.Redis': { '*': 'pw' } }) @sk() export class A extends Skprocess { __run__() {} }",
    ));
    expect(aliased.code).toContain("__sk_autoreconnect(A, { 'ioredis.Redis': { '*': 'pw' } });");
    const namespaced = run(lines(
      "import * as suitkaise from '@suitkaise/core';",
      '@suitkaise.autoreconnect() @suitkaise.sk() export class B extends suitkaise.Skprocess { __run__() {} }',
    ));
    expect(namespaced.code).toContain('__sk_autoreconnect(B);');
    expect(reparse(namespaced.code).decorators).toBe(0);
    const foreign = run(lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      "import { autoreconnect } from './elsewhere';",
      '@autoreconnect({}) @sk() export class C extends Skprocess { __run__() {} }',
    ));
    expect(foreign.code).not.toContain('__sk_autoreconnect');
    expect(foreign.code).toContain('@autoreconnect({})');
  });

  it('handles a bare decorator, an anonymous default class, a const class expression and an inline one', () => {
    const bare = run(lines(
      "import { autoreconnect, sk, Skprocess } from '@suitkaise/core';",
      '@autoreconnect @sk() export default class extends Skprocess { __run__() {} }',
    ));
    expect(bare.code).toMatch(/export default class __sk_default extends Skprocess/);
    expect(bare.code).toContain('__sk_autoreconnect(__sk_default);');
    expect(reparse(bare.code)).toEqual({ errors: 0, decorators: 0 });

    const expressions = run(lines(
      "import { autoreconnect } from '@suitkaise/core';",
      "export const Named = @autoreconnect({ 'pg.Pool': { '*': 'x' } }) class { };",
      "register(@autoreconnect({ 'pg.Pool': { '*': 'y' } }) class Inline { });",
    ));
    expect(expressions.code).toContain("export const Named = class { };\n__sk_autoreconnect(Named, { 'pg.Pool': { '*': 'x' } });");
    expect(expressions.code).toContain("register(__sk_autoreconnect(class Inline { }, { 'pg.Pool': { '*': 'y' } }));");
    expect(reparse(expressions.code)).toEqual({ errors: 0, decorators: 0 });
  });

  it('keeps the call (and what its options reference) in the worker-module output', () => {
    const result = run(lines(
      "import { autoreconnect, sk, Skprocess } from '@suitkaise/core';",
      "import { services } from './env.ts';",
      "import { unrelated } from './unrelated.ts';",
      "@autoreconnect({ 'pg.Client': { '*': services.password } })",
      '@sk()',
      'export class Report extends Skprocess { __run__() {} }',
      'unrelated();',
    ), { target: 'worker-module' });
    expect(result.code).toContain(IMPORT);
    expect(result.code).toContain("import { services } from './env.ts';");
    expect(result.code).toContain("__sk_autoreconnect(Report, { 'pg.Client': { '*': services.password } });");
    expect(result.code).not.toContain('unrelated');
  });
});
