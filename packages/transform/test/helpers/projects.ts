// Shared by the host tests: small projects on disk for `suitkaise build`, and scratch copies of
// fixtures for the bundler plugins.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The repository this checkout is. */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** Just enough of @suitkaise/core's types for `@sk()` classes to type-check (nothing else is checked). */
const CORE_STUB =
  'export declare function sk(): (target: abstract new (...args: any[]) => unknown, context: ClassDecoratorContext) => void;\n' +
  'export declare abstract class Skprocess<R = unknown> { abstract __run__(): unknown; }\n';

/**
 * A small ES module project typed against a stub of @suitkaise/core, in a new temporary directory:
 * tsconfig.json (src → dist), package.json, `files` (path → content). Linked (the default), its
 * node_modules is the repository's, so it has the repository's typescript (and its tsc).
 */
export function stubProject(files: Record<string, string>, options: { linked?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'suitkaise-cli-stub-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', strict: true, skipLibCheck: true,
      lib: ['ES2023', 'ESNext.Decorators'], types: [], rootDir: 'src', outDir: 'dist',
      paths: { '@suitkaise/core': ['./core-stub.d.ts'] },
    },
    include: ['src'],
  }));
  writeFileSync(join(dir, 'core-stub.d.ts'), CORE_STUB);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  if (options.linked ?? true) symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * A scratch directory inside this test folder (so that its modules resolve the workspace
 * packages), removed after the file's tests, and a way to copy a fixture of `fixtures/<set>/`
 * into it: fixtures are kept as `<name>.txt`, so that the repository's type-check skips code that
 * is wrong on purpose. Returns the directory and the copier, which returns the copy's path.
 */
export function scratchFixtures(set: string, prefix: string): { dir: string; fixture: (name: string) => string } {
  const fixtures = fileURLToPath(new URL(`../fixtures/${set}/`, import.meta.url));
  const dir = mkdtempSync(fileURLToPath(new URL(`../.scratch-${prefix}-`, import.meta.url)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    fixture: (name) => {
      const file = join(dir, name);
      writeFileSync(file, readFileSync(join(fixtures, `${name}.txt`), 'utf8'));
      return file;
    },
  };
}
