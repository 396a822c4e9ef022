/**
 * What a Node start loads, in a project with the packages installed as npm installs them
 * (helpers/installed.ts: real directories in node_modules, with dist/ and src/), where esbuild and
 * ts-morph record every load, in any thread of the process:
 *
 * - `node --import @suitkaise/node/register src/main.ts` loads the installed packages from
 *   dist/ (the source condition is for workspace links only); its first run compiles the app and
 *   builds the worker (esbuild, ts-morph), a second run finds both in the disk caches and loads
 *   neither.
 * - the same app built with `suitkaise build` and run by plain `node dist/main.js` loads neither
 *   (the build prepared the worker's bundle; no transform is ever needed for prebuilt modules).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_FILES, ensurePackagesBuilt, installedProject } from './helpers/installed.ts';

const HANG_MS = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What loaded esbuild or ts-morph, one line per load. */
  loads: string[];
}

let runs = 0;

/** `node ...args` in `cwd`, recording loads of esbuild and ts-morph. */
function node(args: string[], cwd: string): Promise<Run> {
  const loadsFile = join(cwd, `loads-${++runs}.txt`);
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SUITKAISE_LOADS: loadsFile };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const loads = existsSync(loadsFile) ? readFileSync(loadsFile, 'utf8').split('\n').filter(Boolean) : [];
      resolve({ code, stdout, stderr, loads });
    });
  });
}

const output = (run: Run): string => `exit ${run.code}\nloads: ${run.loads.join(', ')}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

/** The app's result line, whatever the start-up time it printed first. */
const resultOf = (run: Run): string | undefined => run.stdout.split('\n').find((line) => line.startsWith('result '));

describe('Node start-up in a project with installed packages', () => {
  let project = '';

  beforeAll(() => {
    ensurePackagesBuilt();
    project = installedProject({ recordLoads: true, files: APP_FILES });
  }, 180_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('register hook: installed packages run from dist/; a second start compiles nothing and loads neither esbuild nor ts-morph', async () => {
    const first = await node(['--import', '@suitkaise/node/register', join('src', 'main.ts')], project);
    expect(resultOf(first), output(first)).toBe('result 6 from node_modules/@suitkaise/core/dist/index.js');
    expect(first.code, output(first)).toBe(0);
    // The stand-ins work: the first start compiled the app and built its worker.
    expect(new Set(first.loads), output(first)).toEqual(new Set(['esbuild', 'ts-morph']));

    const second = await node(['--import', '@suitkaise/node/register', join('src', 'main.ts')], project);
    expect(resultOf(second), output(second)).toBe('result 6 from node_modules/@suitkaise/core/dist/index.js');
    expect(second.code, output(second)).toBe(0);
    expect(second.loads, output(second)).toEqual([]);
  }, HANG_MS * 3);

  it('suitkaise build output under plain node loads neither esbuild nor ts-morph, from its first start', async () => {
    const bin = join('node_modules', '@suitkaise', 'transform', 'bin', 'suitkaise.mjs');
    const built = await node([bin, 'build', '-p', 'tsconfig.json'], project);
    expect(built.code, output(built)).toBe(0);
    expect(built.stdout, output(built)).toContain('1 module transformed, 1 worker module');

    const run = await node([join('dist', 'main.js')], project);
    expect(resultOf(run), output(run)).toBe('result 6 from node_modules/@suitkaise/core/dist/index.js');
    expect(run.code, output(run)).toBe(0);
    expect(run.loads, output(run)).toEqual([]);
  }, HANG_MS * 3);
});
