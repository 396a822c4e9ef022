/**
 * `suitkaise build --watch`, the parts that decide what happens on a change: which changed paths
 * start a build (a table), and which directories a recursive include watches (on a real
 * directory tree).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoriesUnder, startsBuild } from '../src/cli/watch-targets.ts';

const configs = new Set(['/p/tsconfig.json', '/p/tsconfig.base.json', '/p/node_modules/@tsconfig/strict/tsconfig.json']);
const outputs = new Set(['/p/dist/a.js', '/p/dist/a.d.ts', '/p/src/b.js', '/p/tsconfig.tsbuildinfo']);

const table: Array<[path: string | undefined, starts: boolean]> = [
  [undefined, true], // the system did not say which file: build to be safe
  ['/p/tsconfig.json', true],
  ['/p/tsconfig.base.json', true],
  ['/p/node_modules/@tsconfig/strict/tsconfig.json', true], // a config counts even under node_modules
  ['/p/src/a.ts', true],
  ['/p/src/a.tsx', true],
  ['/p/src/a.mts', true],
  ['/p/src/a.cts', true],
  ['/p/src/a.js', true],
  ['/p/src/a.mjs', true],
  ['/p/src/a.cjs', true],
  ['/p/src/a.jsx', true],
  ['/p/src/data.json', true],
  ['/p/other.json', true], // not the config, but a file a project can import
  ['/p/dist/a.js', false], // the build's own output
  ['/p/dist/a.d.ts', false],
  ['/p/src/b.js', false], // an output beside its source
  ['/p/tsconfig.tsbuildinfo', false],
  ['/p/src/node_modules/x/index.js', false],
  ['/p/node_modules/x/index.ts', false],
  ['/p/src/a.ts~', false], // an editor's backup
  ['/p/src/.a.ts.swp', false],
  ['/p/src/README.md', false],
  ['/p/src', false], // a directory
];

describe('startsBuild', () => {
  it.each(table)('%s → %s', (path, starts) => {
    expect(startsBuild(path, configs, outputs)).toBe(starts);
  });
});

describe('directoriesUnder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suitkaise-watch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the directory and every subdirectory but node_modules and hidden ones', () => {
    for (const sub of ['src/a/deep', 'src/b', 'src/node_modules/x', 'src/.cache/y', 'node_modules/z', '.git/objects']) {
      mkdirSync(join(dir, sub), { recursive: true });
    }
    writeFileSync(join(dir, 'src', 'file.ts'), '');
    expect(directoriesUnder(dir).sort()).toEqual([dir, join(dir, 'src'), join(dir, 'src/a'), join(dir, 'src/a/deep'), join(dir, 'src/b')].sort());
  });

  it('is the directory alone when it cannot be read', () => {
    const gone = join(dir, 'gone');
    expect(directoriesUnder(gone)).toEqual([gone]);
  });
});
