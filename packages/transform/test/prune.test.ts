import { describe, expect, it } from 'vitest';
import { transform } from '../src/index.ts';

const root = '/project';

describe('worker-module pruning keeps registrations', () => {
  it('keeps top-level cucumber.register and registerCodec calls and what they use', () => {
    const code = [
      "import { sk, Skprocess, cucumber } from '@suitkaise/core';",
      "import { registerCodec } from '@suitkaise/core';",
      "import { Vec } from './vec.ts';",
      "import { mount } from './ui.ts';",
      "cucumber.register(Vec, 'vec#Vec');",
      "registerCodec('x', { test: () => false, toState: () => 0, fromState: () => 0 });",
      'mount(document.body);',
      '@sk()',
      'export class P extends Skprocess<number> { pos = new Vec(3, 4); __run__() {} }',
    ].join('\n');
    const out = transform(code, `${root}/src/p.ts`, { root, target: 'worker-module' }).code;
    expect(out).toContain("cucumber.register(Vec, 'vec#Vec');");
    expect(out).toContain("registerCodec('x'");
    expect(out).toContain("import { Vec } from './vec.ts';");
    expect(out).not.toContain('mount(');
    expect(out).not.toContain("'./ui.ts'");
  });

  it('keeps generated __sk_register calls when an already transformed module is pruned again', () => {
    const once = transform(
      "import { sk, Skprocess } from '@suitkaise/core';\n@sk()\nexport class P extends Skprocess { __run__() {} }\nstartApp();\n",
      `${root}/src/p.ts`,
      { root, browserWorkers: false },
    ).code;
    const twice = transform(once, `${root}/src/p.ts`, { root, target: 'worker-module' }).code;
    expect(twice).toContain('__sk_register(P, { id: "src/p.ts#P"');
    expect(twice).not.toContain('startApp()');
  });
});

describe('SK004', () => {
  const diagnose = (body: string) =>
    transform(`import { sk, Skprocess } from '@suitkaise/core';\n@sk()\nexport class P extends Skprocess {\n${body}\n  __run__() {}\n}\n`, `${root}/src/p.ts`, { root }).diagnostics;

  it('reports a #private field at its position and says what to do', () => {
    const [diagnostic, ...rest] = diagnose('  #count = 0;');
    expect(rest).toEqual([]);
    expect(diagnostic).toMatchObject({ code: 'SK004', line: 4, column: 3 });
    expect(diagnostic!.message).toContain('#count');
    expect(diagnostic!.message).toMatch(/use ordinary fields, or give the class toState\(\) and static fromState\(state\)/);
  });

  it('reports #private methods and accessor fields too', () => {
    expect(diagnose('  #helper() {}')[0]).toMatchObject({ code: 'SK004', line: 4 });
    expect(diagnose('  accessor size = 1;')[0]).toMatchObject({ code: 'SK004', line: 4 });
  });

  it('accepts them in a class that sends itself through toState/fromState', () => {
    expect(diagnose('  #count = 0;\n  toState() { return this.#count; }\n  static fromState(n: number) { return new P(); }')).toEqual([]);
  });

  it('accepts ordinary and TypeScript-private fields', () => {
    expect(diagnose('  private count = 0;\n  protected label = "x";')).toEqual([]);
  });
});
