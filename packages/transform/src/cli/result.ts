/**
 * What a build did ({@link BuildResult}), and the steps every build ends with: its files written,
 * the list of them without repeats, and the workers bundled ahead of the app's first start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ts } from 'ts-morph';
import type { Diagnostic } from '../index.ts';
import type { WatchTargets } from './watch-targets.ts';

/** What a build (`build()` of the CLI's entry) did. */
export interface BuildResult {
  /** Configuration and transform errors (the type errors are {@link typeErrors}). */
  errors: ReadonlyArray<ts.Diagnostic | Diagnostic>;
  /** How many type errors the project's tsc reported (`0` when it was not run). */
  typeErrors: number;
  /** What the project's tsc printed about them (its own format, relative to `cwd`), without its summary line. */
  typeErrorText: string;
  /** The tsc that type-checked and emitted the project; `undefined` when typescript is not installed for it (nothing was type-checked). */
  tsc: string | undefined;
  /** Transform warnings (`severity: 'warning'`): printed, but they do not fail the build. */
  warnings: Diagnostic[];
  /** Absolute paths of every file written. */
  written: string[];
  /** Absolute paths of the source modules the transform changed. */
  transformed: string[];
  /** Absolute paths of the worker modules written (`*.sk-worker.js`). */
  workerModules: string[];
}

/** Options of a build (`build()` of the CLI's entry). */
export interface BuildOptions {
  /** Colour and code frames in tsc's messages. */
  pretty?: boolean;
}

/** A build's result and, when it got that far, what a watcher should watch for the next one. */
export interface Compiled {
  result: BuildResult;
  targets?: WatchTargets;
}

/** The result of a build that has done nothing yet, type-checked by `tsc` (`undefined`: by none). */
export function emptyResult(tsc: string | undefined): BuildResult {
  return { errors: [], typeErrors: 0, typeErrorText: '', tsc, warnings: [], written: [], transformed: [], workerModules: [] };
}

/** Write `text` to `file` (making its directory), and count it in `result`. */
export function writeOutput(file: string, text: string, result: BuildResult): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  result.written.push(file);
}

/** The last step of every build: `written` without repeats, and, when it succeeded, its workers bundled. */
export async function finishBuild(result: BuildResult): Promise<void> {
  result.written = [...new Set(result.written)];
  if (result.workerModules.length > 0 && result.errors.length === 0) await prepareWorkerBundles(result.workerModules);
}

/**
 * Bundle each worker module into the project's worker cache now (as `@suitkaise/node` would on
 * the app's first start), so that the built app starts its workers without esbuild. Skipped
 * without esbuild; a failure here is the app's to report when it runs.
 */
async function prepareWorkerBundles(workerModules: readonly string[]): Promise<void> {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    return;
  }
  const { prepareWorkerBundle } = await import('../node-worker/bundle.ts');
  await Promise.all(workerModules.map((file) =>
    prepareWorkerBundle({ id: file, workerModuleUrl: pathToFileURL(file).href }).catch(() => undefined)));
}
