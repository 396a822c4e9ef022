/** The Node options a worker gets: the parent's without the suitkaise hook (src/exec-argv.ts). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { isSuitkaiseHook, nodeOptionsWithoutHook, withoutHook, withoutRefused } from '../src/exec-argv.ts';

const copy = mkdtempSync(join(tmpdir(), 'suitkaise-exec-argv-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));
// A copy of the package somewhere else (another install), and a look-alike that is not it.
mkdirSync(join(copy, 'node'));
writeFileSync(join(copy, 'node', 'package.json'), JSON.stringify({ name: '@suitkaise/node' }));
writeFileSync(join(copy, 'node', 'register.mjs'), '');
mkdirSync(join(copy, 'other'));
writeFileSync(join(copy, 'other', 'package.json'), JSON.stringify({ name: 'other' }));
writeFileSync(join(copy, 'other', 'register.mjs'), '');

describe('the worker execArgv', () => {
  it('knows the hook by specifier, path or URL of a package named @suitkaise/node', () => {
    expect(isSuitkaiseHook('@suitkaise/node/register')).toBe(true);
    expect(isSuitkaiseHook('@suitkaise/node/hooks.mjs')).toBe(true);
    expect(isSuitkaiseHook(join(copy, 'node', 'register.mjs'))).toBe(true);
    expect(isSuitkaiseHook('./node/register.mjs', copy)).toBe(true);
    expect(isSuitkaiseHook(pathToFileURL(join(copy, 'node', 'register.mjs')).href)).toBe(true);
    expect(isSuitkaiseHook(join(copy, 'other', 'register.mjs'))).toBe(false);
    expect(isSuitkaiseHook('tsx')).toBe(false);
  });

  it('drops the options that load the hook, in every spelling, and the entry-only ones; keeps the rest', () => {
    const argv = [
      '--import', '@suitkaise/node/register', '--import=tsx', `--import=${join(copy, 'node', 'register.mjs')}`,
      '--experimental-loader', '@suitkaise/node/hooks.mjs', '--loader=./x.mjs', '-r', './setup.cjs',
      '--conditions', 'development', '-C', 'custom', '--enable-source-maps', '--eval', 'console.log(1)', '--max-old-space-size=512',
    ];
    expect(withoutHook(argv, copy)).toEqual([
      '--import=tsx', '--loader=./x.mjs', '-r', './setup.cjs', '--conditions', 'development', '-C', 'custom', '--enable-source-maps', '--max-old-space-size=512',
    ]);
  });

  it('takes the hook out of NODE_OPTIONS (quoted or not), and leaves NODE_OPTIONS without it alone', () => {
    expect(nodeOptionsWithoutHook('--import @suitkaise/node/register --conditions=dev')).toBe('--conditions=dev');
    expect(nodeOptionsWithoutHook(`--import "${join(copy, 'node', 'register.mjs')}" --no-warnings`)).toBe('--no-warnings');
    expect(nodeOptionsWithoutHook('--import tsx --no-warnings')).toBeUndefined();
    expect(nodeOptionsWithoutHook(undefined)).toBeUndefined();
  });

  it('drops exactly what Node refuses in a worker, as its error names it', () => {
    const argv = ['--max-old-space-size=200', '--conditions', 'dev', '--stack-trace-limit=30', '--expose-gc', '--enable-source-maps'];
    let error: unknown;
    try {
      void new Worker('', { eval: true, execArgv: argv });
    } catch (thrown) {
      error = thrown;
    }
    expect((error as { code?: string }).code).toBe('ERR_WORKER_INVALID_EXEC_ARGV');
    const kept = withoutRefused(argv, error);
    expect(kept).toEqual(['--conditions', 'dev', '--enable-source-maps']);
    const worker = new Worker('', { eval: true, execArgv: kept });
    return worker.terminate();
  });
});
