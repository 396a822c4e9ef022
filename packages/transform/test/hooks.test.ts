/**
 * SK005: a member of a process class whose name looks like a lifecycle hook but is none of the
 * six. The engine calls hooks by name, so a misspelt one compiles and is silently never called.
 */
import { describe, expect, it } from 'vitest';
import type { TransformResult } from '../src/index.ts';
import { col, lines, ROOT, transformerOf } from './helpers/transform.ts';

const run = transformerOf('src/proc.ts');
const sk005 = (result: TransformResult) => result.diagnostics.filter((d) => d.code === 'SK005');

describe('SK005: a misspelt lifecycle hook', () => {
  it('is an error at the member, naming it and the hook it is closest to', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      '@sk()',
      'export class Counter extends Skprocess<number> {',
      '  count = 0;',
      '  __run__() { this.count += 1; }',
      '  __results__() { return this.count; }',
      '  async __prerun() {}',
      '  __onFinish__() {}',
      '  _postrun_() {}',
      '  __eror__() {}',
      '}',
    );
    const result = run(code);
    expect(sk005(result).map((d) => [d.severity, d.line, d.column])).toEqual([
      ['error', 6, 3],
      ['error', 7, col(code, 7, '__prerun')],
      ['error', 8, 3],
      ['error', 9, 3],
      ['error', 10, 3],
    ]);
    const [results, prerun, onFinish, postrun, eror] = sk005(result);
    expect(results).toMatchObject({ file: `${ROOT}/src/proc.ts` });
    expect(results?.message).toContain('@sk() class "Counter" has `__results__`, which is not a lifecycle hook');
    expect(results?.message).toContain('did you mean __result__?');
    expect(prerun?.message).toContain('did you mean __prerun__?');
    expect(onFinish?.message).toContain('did you mean __onfinish__?');
    expect(postrun?.message).toContain('did you mean __postrun__?');
    expect(eror?.message).toContain('did you mean __error__?');
    // Still transformed: the registration is there.
    expect(result.registrations).toHaveLength(1);
  });

  it('flags any __name__ method, listing the hooks when none is close', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      '@sk()',
      'export class Setup extends Skprocess {',
      '  __run__() {}',
      '  __init__() {}',
      '  __teardown__ = () => {};',
      '  __config__ = { retries: 1 };',
      '}',
    );
    const [init, teardown, ...rest] = sk005(run(code));
    expect(rest).toEqual([]); // not the data field
    expect(init).toMatchObject({ line: 5, column: 3 });
    expect(init?.message).toContain('`__init__`, which is not a lifecycle hook');
    expect(init?.message).toContain('__prerun__, __run__, __postrun__, __onfinish__, __result__, __error__');
    expect(init?.message).not.toContain('did you mean');
    expect(teardown).toMatchObject({ line: 6, column: 3 });
  });

  it('leaves the six hooks, ordinary private names, data fields and non-process classes alone', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      '@sk()',
      'export class Fine extends Skprocess<number> {',
      '  _count = 0;',
      '  __total = 0;',
      '  _error: string | null = null;',
      '  _result = 0;',
      '  private __cache = new Map<string, number>();',
      '  __proto_like = 1;',
      '  static __instances__ = 0;',
      '  async __prerun__() {}',
      '  __run__() { this._count += 1; }',
      '  __postrun__() {}',
      '  __onfinish__() {}',
      '  __result__() { return this._count; }',
      '  __error__() { return this.error; }',
      '  _runOnce() {}',
      '  helper_() {}',
      '  __errors: string[] = [];',
      '  __results = [1];',
      '  __count() { return this._count; }',
      '  __prerun() {}', // near a hook the class has: deliberate
      '}',
      '@sk()',
      'export class Point {',
      '  __results__ = 1;',
      '}',
    );
    expect(run(code).diagnostics).toEqual([]);
  });

  it('checks a class whose process base is another class of the module', () => {
    const code = lines(
      "import { sk, Skprocess } from '@suitkaise/core';",
      'abstract class Base extends Skprocess<number> {}',
      '@sk()',
      'export class Child extends Base {',
      '  __run__() {}',
      '  __reslt__() { return 1; }',
      '}',
    );
    const [found, ...rest] = sk005(run(code));
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ line: 6, column: 3 });
    expect(found?.message).toContain('did you mean __result__?');
  });
});
