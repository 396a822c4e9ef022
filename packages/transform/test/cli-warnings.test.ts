/**
 * `suitkaise build` in-process on a tiny project (typed against a stub of @suitkaise/core, so
 * nothing but the project is type-checked): transform warnings are printed to stderr and do
 * not change the exit code or stop the emit; errors still fail the build.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../src/cli.ts';
import { stubProject } from './helpers/projects.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const module = (...extra: string[]) => [
  "import { sk, Skprocess } from '@suitkaise/core';",
  'let limit = 10;',
  'export function configure(n: number) { limit = n; }',
  '@sk()',
  'export class Poller extends Skprocess<number> {',
  '  __run__() { return limit; }',
  ...extra,
  '}',
  '',
].join('\n');

/** A project with `src/state.ts` = `code`; returns its directory. */
function project(code: string): string {
  const dir = stubProject({ 'src/state.ts': code });
  dirs.push(dir);
  return dir;
}

async function cli(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; }, cwd: dir, pretty: false };
  const code = await main(['build', 'tsconfig.json'], io);
  return { code, stdout, stderr };
}

describe('suitkaise build: warnings', () => {
  it('prints a warning to stderr, emits, and exits 0', async () => {
    const dir = project(module());
    const result = await cli(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^src\/state\.ts:6:22 SK101 warning: @sk\(\) class "Poller" reads `limit`/);
    expect(result.stderr).not.toContain('error');
    expect(result.stdout).toContain('written');
    expect(existsSync(join(dir, 'dist', 'state.js'))).toBe(true);
  }, 30_000);

  it('counts errors only: exits 1 for an error, with the warning printed but not counted', async () => {
    const result = await cli(project(module('  __results__() { return 1; }')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('src/state.ts:7:3 SK005 @sk() class "Poller" has `__results__`');
    expect(result.stderr).toContain('src/state.ts:6:22 SK101 warning:');
    expect(result.stderr).toContain('Found 1 error.');
  }, 30_000);
});
