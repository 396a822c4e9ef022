/** The esbuild host: transform errors fail the build, warnings come back as esbuild warnings. */
import { describe, expect, it } from 'vitest';
import { build, type BuildFailure, type Message } from 'esbuild';
import { suitkaiseEsbuild } from '../src/esbuild.ts';
import { scratchFixtures } from './helpers/projects.ts';

const { dir: work, fixture } = scratchFixtures('vite-app', 'esbuild');

const bundle = (entry: string) => build({
  entryPoints: [entry],
  bundle: true,
  write: false,
  format: 'esm',
  logLevel: 'silent',
  external: ['@suitkaise/*'],
  plugins: [suitkaiseEsbuild({ root: work })],
});
const codes = (messages: Message[]) => messages.map((m) => m.text.slice(0, 5));

describe('the esbuild plugin host', () => {
  it('returns a warning diagnostic as a warning with its location; the build succeeds', async () => {
    const entry = fixture('module-state.ts');
    const result = await bundle(entry);
    expect(result.errors).toEqual([]);
    expect(codes(result.warnings)).toEqual(['SK101']);
    expect(result.warnings[0]!.location).toMatchObject({ file: expect.stringContaining('module-state.ts'), line: 11, column: 11 });
  });

  it('fails on an error diagnostic, with the warnings of the module still warnings', async () => {
    const entry = fixture('hook-typo.ts');
    const failure = (await bundle(entry).then(() => null, (e: unknown) => e)) as BuildFailure | null;
    expect(failure).not.toBeNull();
    expect(codes(failure!.errors)).toEqual(['SK005']);
    expect(codes(failure!.warnings)).toEqual(['SK101']);
  });
});
