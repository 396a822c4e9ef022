/**
 * The project's own tsc: finding it, asking it for the project's files and options
 * (`--showConfig`), and running `tsc -p` with emit, its output read into errors, text and the
 * files it wrote.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** The project's own tsc (`typescript` as the project in `dir` resolves it), or `undefined` when it has none. */
export function projectTsc(dir: string): string | undefined {
  try {
    const manifest = createRequire(join(dir, 'noop.js')).resolve('typescript/package.json');
    const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }).bin;
    const tsc = typeof bin === 'string' ? bin : bin?.tsc;
    const file = tsc === undefined ? undefined : join(dirname(manifest), tsc);
    return file !== undefined && existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** What the build needs of a project's configuration: its files and the options that decide the emit. */
export interface ShownConfig {
  /** Absolute paths of the project's files. */
  files: string[];
  /** The compiler options, as a cache key. */
  optionsKey: string;
  noEmit: boolean;
  emitDeclarationOnly: boolean;
  noEmitOnError: boolean;
}

/** The project's files and options as its tsc resolves them (`tsc -p <config> --showConfig`); `undefined` if that fails. */
export function showConfig(tsc: string, configPath: string, cwd: string): Promise<ShownConfig | undefined> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [tsc, '-p', configPath, '--showConfig'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.once('error', () => resolvePromise(undefined));
    child.once('close', (code) => {
      try {
        const shown = JSON.parse(output) as { compilerOptions?: Record<string, unknown>; files?: string[] };
        if (code !== 0 || !Array.isArray(shown.files)) throw new Error('no files');
        const options = shown.compilerOptions ?? {};
        resolvePromise({
          files: shown.files.map((file) => resolve(dirname(configPath), file)),
          optionsKey: JSON.stringify(options),
          noEmit: options.noEmit === true,
          emitDeclarationOnly: options.emitDeclarationOnly === true,
          noEmitOnError: options.noEmitOnError === true,
        });
      } catch {
        resolvePromise(undefined);
      }
    });
  });
}

/** What a `tsc -p` run reported and did. */
export interface TscRun {
  /** Type (and configuration) errors it reported. */
  errors: number;
  /** What it printed, minus the emitted-files list and its closing summary. */
  text: string;
  /** Files it wrote. */
  emitted: string[];
}

/** How a tsc process ended: its exit code, or the error that kept it from running. */
export interface TscExit {
  /** The tsc that ran, named in the message when it failed. */
  tsc: string;
  code: number | null;
  failure?: Error;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const ERROR_LINE = /^(?:\S.*?(?:\(\d+,\d+\): | - ))?error TS\d+:/;
const SUMMARY_LINE = /^Found \d+ errors?\b/;
const EMITTED_PREFIX = 'TSFILE: ';

/**
 * What `tsc --listEmittedFiles` printed (stdout and stderr, `pretty` or not), read: its error
 * lines counted, its `TSFILE:` lines as absolute paths (relative to `cwd`), its summary ("Found 2
 * errors in 2 files." and the table after it) dropped, since the build prints its own count. A
 * tsc that crashed or was killed without reporting an error is one error, with what it said.
 */
export function tscRunOf(output: string, cwd: string, exit: TscExit): TscRun {
  const emitted: string[] = [];
  const kept: string[] = [];
  let errors = 0;
  let summary = false;
  for (const line of output.split('\n')) {
    if (line.startsWith(EMITTED_PREFIX)) {
      emitted.push(resolve(cwd, line.slice(EMITTED_PREFIX.length).trim()));
      continue;
    }
    const plain = line.replace(ANSI, '');
    if (SUMMARY_LINE.test(plain)) summary = true;
    if (summary) continue;
    if (ERROR_LINE.test(plain)) errors += 1;
    kept.push(line);
  }
  let text = kept.join('\n').replace(/\n+$/, '');
  if (text) text += '\n';
  if (exit.failure || (exit.code !== 0 && errors === 0)) {
    errors = 1;
    text += `suitkaise: ${exit.tsc} ${exit.failure ? `could not run: ${exit.failure.message}` : `exited with code ${exit.code}`}\n`;
  }
  return { errors, text, emitted };
}

/** `tsc -p <config>` in `cwd`, its messages as a terminal would show them when `pretty`. */
export function runTsc(tsc: string, configPath: string, cwd: string, pretty: boolean): Promise<TscRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [tsc, '-p', configPath, '--listEmittedFiles', '--pretty', String(pretty)], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.once('error', (failure) => resolvePromise(tscRunOf(output, cwd, { tsc, code: null, failure })));
    child.once('close', (code) => resolvePromise(tscRunOf(output, cwd, { tsc, code })));
  });
}
