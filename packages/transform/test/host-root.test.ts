/**
 * The project root and cache directory rules (src/host/root.mjs), as tables over a made-up disk,
 * then once on a real one. The register hook's root rule is the one kept; the rows marked
 * `bundler:` are where the Node bundler's old rule for prebuilt worker modules (the nearest
 * directory with a package.json, node_modules included) gave another directory.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDirOf, onDisk, projectRoot, rootOfId } from '../src/host/root.mjs';

/** A disk with package.json in these directories and node_modules in those. */
function disk(packageDirs: string[], nodeModulesDirs: string[] = []) {
  return { hasPackageJson: (dir: string) => packageDirs.includes(dir), hasNodeModules: (dir: string) => nodeModulesDirs.includes(dir) };
}

describe('projectRoot', () => {
  const rows: Array<{ name: string; file: string; cwd: string; packages: string[]; root: string }> = [
    { name: 'an app run from its package directory', file: '/app/src/a.ts', cwd: '/app', packages: ['/app'], root: '/app' },
    {
      name: 'bundler: a monorepo run from its top: one root for every workspace',
      file: '/repo/packages/a/src/a.ts', cwd: '/repo', packages: ['/repo', '/repo/packages/a'], root: '/repo',
    },
    {
      name: 'bundler: a module inside node_modules, run from elsewhere: the nearest package outside node_modules',
      file: '/app/node_modules/lib/dist/a.js', cwd: '/tmp', packages: ['/app', '/app/node_modules/lib'], root: '/app',
    },
    {
      name: 'bundler: a module inside node_modules, run from the app: the app',
      file: '/app/node_modules/lib/dist/a.js', cwd: '/app', packages: ['/app', '/app/node_modules/lib'], root: '/app',
    },
    {
      name: 'a working directory that does not hold the file: the file\'s package',
      file: '/other/src/a.ts', cwd: '/app', packages: ['/app', '/other'], root: '/other',
    },
    {
      name: 'a working directory that holds the file but is no package: the file\'s package',
      file: '/work/app/src/a.ts', cwd: '/work', packages: ['/work/app'], root: '/work/app',
    },
    {
      name: 'a working directory inside node_modules is no package directory',
      file: '/app/node_modules/lib/src/a.ts', cwd: '/app/node_modules/lib', packages: ['/app', '/app/node_modules/lib'], root: '/app',
    },
    { name: 'no package.json anywhere: the file\'s directory', file: '/loose/scripts/a.ts', cwd: '/loose', packages: [], root: '/loose/scripts' },
    { name: 'the working directory is the file\'s directory', file: '/app/a.ts', cwd: '/app', packages: ['/app'], root: '/app' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(projectRoot(row.file, row.cwd, disk(row.packages).hasPackageJson)).toBe(row.root);
    });
  }

  it('gives every module of a monorepo run from its top a distinct id path', () => {
    const { hasPackageJson } = disk(['/repo', '/repo/packages/a', '/repo/packages/b']);
    const paths = ['/repo/packages/a/src/x.ts', '/repo/packages/b/src/x.ts'].map((file) => relative(projectRoot(file, '/repo', hasPackageJson), file));
    expect(paths).toEqual(['packages/a/src/x.ts', 'packages/b/src/x.ts']);
  });
});

describe('rootOfId', () => {
  const rows: Array<[id: string, file: string, root: string]> = [
    ['src/counter.ts#Counter', '/app/src/counter.ts', '/app'],
    ['packages/a/src/x.ts#default', '/repo/packages/a/src/x.ts', '/repo'],
    ['a.ts#A', '/a.ts', '/'],
    ['src/counter.ts#Counter', 'C:\\app\\src\\counter.ts', 'C:\\app'],
    // An id that the file's path does not end with (made against another root): the file's directory.
    ['../shared/x.ts#X', '/app/shared/x.ts', '/app/shared'],
    ['#X', '/app/x.ts', '/app'],
    ['x.ts#X', '/app/src/ax.ts', '/app/src'],
  ];
  for (const [id, file, root] of rows) {
    it(`${id} at ${file} → ${root}`, () => expect(rootOfId(id, file)).toBe(root));
  }

  it('recovers the root projectRoot gave, for every row of its table', () => {
    const { hasPackageJson } = disk(['/repo', '/repo/packages/a', '/app']);
    for (const [file, cwd] of [['/repo/packages/a/src/x.ts', '/repo'], ['/repo/packages/a/src/x.ts', '/elsewhere'], ['/app/src/deep/y.ts', '/app']] as const) {
      const root = projectRoot(file, cwd, hasPackageJson);
      expect(rootOfId(`${relative(root, file)}#X`, file)).toBe(root);
    }
  });
});

describe('cacheDirOf', () => {
  const rows: Array<{ name: string; dir: string; nodeModules: string[]; purpose: string; cache: string | undefined }> = [
    { name: 'the project\'s node_modules', dir: '/app/src', nodeModules: ['/app'], purpose: 'hooks', cache: '/app/node_modules/.cache/suitkaise/hooks' },
    { name: 'no purpose: the suitkaise cache itself', dir: '/app/dist', nodeModules: ['/app'], purpose: '', cache: '/app/node_modules/.cache/suitkaise' },
    {
      name: 'a hoisted workspace: the top\'s node_modules, where its packages are',
      dir: '/repo/packages/a/src', nodeModules: ['/repo'], purpose: 'build', cache: '/repo/node_modules/.cache/suitkaise/build',
    },
    {
      name: 'a workspace with packages of its own: its node_modules, which Node searches first',
      dir: '/repo/packages/a/src', nodeModules: ['/repo', '/repo/packages/a'], purpose: '', cache: '/repo/packages/a/node_modules/.cache/suitkaise',
    },
    {
      name: 'a dependency with packages of its own, inside node_modules',
      dir: '/app/node_modules/lib/dist', nodeModules: ['/app', '/app/node_modules/lib'], purpose: '', cache: '/app/node_modules/lib/node_modules/.cache/suitkaise',
    },
    { name: 'a dependency without: the app\'s', dir: '/app/node_modules/lib/dist', nodeModules: ['/app'], purpose: '', cache: '/app/node_modules/.cache/suitkaise' },
    { name: 'no node_modules anywhere: none', dir: '/loose/scripts', nodeModules: [], purpose: 'hooks', cache: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => expect(cacheDirOf(row.dir, row.purpose, disk([], row.nodeModules).hasNodeModules)).toBe(row.cache));
  }
});

describe('on a real disk', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'suitkaise-root-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds package.json and node_modules, and keeps each answer until asked anew', () => {
    mkdirSync(join(dir, 'app', 'src'), { recursive: true });
    mkdirSync(join(dir, 'app', 'node_modules'));
    writeFileSync(join(dir, 'app', 'package.json'), '{}');
    const first = onDisk();
    const file = join(dir, 'app', 'src', 'a.ts');
    expect(projectRoot(file, dir, first.hasPackageJson)).toBe(join(dir, 'app'));
    expect(cacheDirOf(join(dir, 'app', 'src'), 'hooks', first.hasNodeModules)).toBe(join(dir, 'app', 'node_modules', '.cache', 'suitkaise', 'hooks'));

    writeFileSync(join(dir, 'package.json'), '{}');
    expect(projectRoot(file, dir, first.hasPackageJson)).toBe(join(dir, 'app'));
    expect(projectRoot(file, dir, onDisk().hasPackageJson)).toBe(dir);
  });
});
