/**
 * The build cache of `suitkaise build`, on real directories: an entry's key changes with each
 * thing the entry depends on (the module's text and path, the tsconfig, its options, the nearest
 * package.json) and with nothing else; an entry written is read back as it was; a project without
 * node_modules has no cache (reads find nothing, writes are no error).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCache } from '../src/cli/cache.ts';
import type { ModuleEntry } from '../src/cli/modules.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A new project directory: package.json, src/, and node_modules unless `cacheless`. */
function projectDir(options: { cacheless?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'suitkaise-cache-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  if (!options.cacheless) mkdirSync(join(dir, 'node_modules'));
  return dir;
}

const entry = (fileName: string): ModuleEntry => ({
  fileName,
  diagnostics: [{ code: 'SK101', severity: 'warning', message: 'm', file: fileName, line: 1, column: 2 }],
  transformed: true,
  esm: true,
  outputs: [{ path: '/dist/a.js', text: 'export {};\n', worker: false }, { path: '/dist/a.sk-worker.js', text: '', worker: true }],
});

describe('buildCache', () => {
  it('keys an entry by everything it depends on', () => {
    const dir = projectDir();
    const config = join(dir, 'tsconfig.json');
    const file = join(dir, 'src', 'a.ts');
    const key = buildCache(dir, config, '{"module":"esnext"}').keyOf(file, 'text');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(buildCache(dir, config, '{"module":"esnext"}').keyOf(file, 'text')).toBe(key);
    const others = [
      buildCache(dir, config, '{"module":"esnext"}').keyOf(file, 'text '),
      buildCache(dir, config, '{"module":"esnext"}').keyOf(join(dir, 'src', 'b.ts'), 'text'),
      buildCache(dir, join(dir, 'tsconfig.app.json'), '{"module":"esnext"}').keyOf(file, 'text'),
      buildCache(dir, config, '{"module":"nodenext"}').keyOf(file, 'text'),
    ];
    expect(new Set([key, ...others]).size).toBe(5);
    writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
    expect(buildCache(dir, config, '{"module":"esnext"}').keyOf(file, 'text')).not.toBe(key);
  });

  it('the nearest package.json counts: one in the module\'s own directory changes the key', () => {
    const dir = projectDir();
    const config = join(dir, 'tsconfig.json');
    const file = join(dir, 'src', 'a.ts');
    const before = buildCache(dir, config, '{}').keyOf(file, 'text');
    writeFileSync(join(dir, 'src', 'package.json'), '{ "type": "commonjs" }\n');
    expect(buildCache(dir, config, '{}').keyOf(file, 'text')).not.toBe(before);
  });

  it('reads back what it wrote, under node_modules/.cache/suitkaise/build', () => {
    const dir = projectDir();
    const cache = buildCache(dir, join(dir, 'tsconfig.json'), '{}');
    const key = cache.keyOf(join(dir, 'src', 'a.ts'), 'text');
    expect(cache.read(key)).toBeUndefined();
    cache.write(key, entry(join(dir, 'src', 'a.ts')));
    expect(cache.read(key)).toEqual(entry(join(dir, 'src', 'a.ts')));
    expect(readdirSync(join(dir, 'node_modules', '.cache', 'suitkaise', 'build'))).toEqual([`${key}.json`]);
    expect(buildCache(dir, join(dir, 'tsconfig.json'), '{}').read(key)).toEqual(entry(join(dir, 'src', 'a.ts')));
  });

  it('without node_modules there is no cache: nothing is read or written, and that is no error', () => {
    const dir = projectDir({ cacheless: true });
    const cache = buildCache(dir, join(dir, 'tsconfig.json'), '{}');
    const key = cache.keyOf(join(dir, 'src', 'a.ts'), 'text');
    expect(() => cache.write(key, entry(join(dir, 'src', 'a.ts')))).not.toThrow();
    expect(cache.read(key)).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['package.json', 'src']);
  });
});
