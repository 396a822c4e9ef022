// The hooks' types under both settings of `noImplicitOverride` (the repository's own tsconfig has
// it on, so types.test.ts sees only that one): `override` is optional either way, and a
// `__result__` that does not return R is a type error either way. Runs the repository's tsc.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
// Inside the repository, so that @suitkaise/core resolves to the workspace package.
const scratch = mkdtempSync(join(import.meta.dirname, '.scratch-hook-types-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const lines = [
  "import { Skprocess } from '@suitkaise/core';",
  'export class Plain extends Skprocess<number> {',
  '  __run__() {}',
  '  async __prerun__() {}',
  '  __result__() { return 1; }',
  '}',
  'export class Overridden extends Skprocess<number> {',
  '  override __run__() {}',
  '  override __onfinish__() {}',
  '  override async __result__() { return 2; }',
  '}',
  'export class RunOnly extends Skprocess<number> {',
  '  __run__() {}',
  '}',
  'export class WrongResult extends Skprocess<number> {',
  '  __run__() {}',
  "  __result__() { return 'three'; }", // line 17
  '}',
  'new RunOnly();',
];

async function typeErrors(noImplicitOverride: boolean): Promise<string[]> {
  const project = mkdtempSync(join(scratch, `override-${noImplicitOverride}-`));
  writeFileSync(join(project, 'hooks.ts'), lines.join('\n'));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    extends: join(repo, 'tsconfig.json'),
    compilerOptions: { noImplicitOverride },
    include: [],
    files: ['hooks.ts'],
  }));
  const tsc = join(repo, 'node_modules', '.bin', 'tsc');
  const output = await promisify(execFile)(tsc, ['-p', project, '--pretty', 'false'], { cwd: project })
    .then(({ stdout }) => stdout, (error: { stdout?: string }) => error.stdout ?? String(error));
  return output.split('\n').filter((line) => /error TS\d+/.test(line)).map((line) => line.replace(/^.*hooks\.ts/, 'hooks.ts'));
}

describe('hook types', () => {
  it.each([false, true])('noImplicitOverride: %s — override optional, a wrong __result__ is the one error', async (flag) => {
    const errors = await typeErrors(flag);
    expect(errors).toEqual([expect.stringMatching(/^hooks\.ts\(17,3\): error TS2416: Property '__result__' in type 'WrongResult'/)]);
  }, 60_000);
});
