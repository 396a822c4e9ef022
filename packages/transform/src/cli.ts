/**
 * `suitkaise build -p <tsconfig>`: compile a project the way `tsc -p <tsconfig>` does, with the
 * suitkaise transform applied, for projects that use no bundler.
 *
 * - The project's own TypeScript does what tsc does: its `tsc -p` type-checks the project as
 *   written (positions are the user's, the messages are that TypeScript's) and emits every
 *   module and declaration. Meanwhile the transform rewrites the modules that use
 *   @suitkaise/core; once tsc is done, their JavaScript (and source maps) are replaced with the
 *   transformed modules' (`@sk()` replaced by registrations, ids relative to the tsconfig's
 *   directory), compiled file by file with the project's options. Without typescript installed
 *   in the project, the whole emit uses the TypeScript that ts-morph bundles and type-checking
 *   is left to `tsc --noEmit` (the command says so).
 * - Each module that registers something also gets a sibling `<name>.sk-worker.js` (its
 *   `'worker-module'` output: pruned of top-level side effects, emitted with the same options),
 *   and its registrations carry `workerModuleUrl`, so `@suitkaise/node` bundles that file
 *   instead of needing the TypeScript sources and the transform at run time. The build also
 *   bundles each worker once into the project's worker cache (when esbuild is installed), so the
 *   app's first start finds it ready.
 * - Source maps (`sourceMap`, `inlineSourceMap`, `declarationMap`) point at the original files.
 * - `--watch` builds, then builds again whenever a source file or the tsconfig changes.
 *
 * ts-morph (and its TypeScript) loads only once tsc is running: `--help` and a start of the
 * type-check cost nothing of it.
 *
 * This file is the command; the parts are under cli/: `args` (the command line), `build` (a
 * build with the project's tsc) and `without-tsc` (one without), `tsc` (running the project's
 * tsc), `modules` (one module through the transform and TypeScript), `cache` (the build cache),
 * `report` (what is printed), `watch` and `watch-targets` (`--watch`).
 *
 * @packageDocumentation
 */
import { parseArguments, USAGE } from './cli/args.ts';
import { build } from './cli/build.ts';
import { processIo, report, type CliIo } from './cli/report.ts';
import { watch } from './cli/watch.ts';

export { build } from './cli/build.ts';
export type { CliIo } from './cli/report.ts';
export type { BuildOptions, BuildResult } from './cli/result.ts';

/**
 * Run the CLI with `argv` (without `node` and the script). Resolves to the exit code: `0` when
 * the build had no error, `1` when it had one, `2` for a usage error. With `--watch` it never
 * resolves (it builds until the process is ended), unless the first build cannot start.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const args = parseArguments(argv);
  if ('help' in args) {
    io.stdout(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.stderr(argv.length === 0 ? USAGE : `suitkaise: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  if (args.watch) return watch(args.project, io);
  return report(await build(args.project, io.cwd, { pretty: io.pretty }), io);
}
