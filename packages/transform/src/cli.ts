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
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, watch as watchPath, writeFileSync, type Dirent, type FSWatcher } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decode } from '@jridgewell/sourcemap-codec';
import type { ts } from 'ts-morph';
import { diagnosticLine, errorsAndWarnings } from './host/diagnostics.ts';
import { WORKER_MODULE_INFIX, workerModuleSourceOf } from './host/ids.ts';
import { cacheDirOf, onDisk } from './host/root.mjs';
import { composeEmitted, identityMappings, type TransformedText } from './host/source-map.ts';
import type { Diagnostic } from './index.ts';

const USAGE = `Usage: suitkaise build [-p <tsconfig>] [--watch]
       suitkaise build [tsconfig] [--watch]

Compiles a TypeScript project like \`tsc -p <tsconfig>\` (default: ./tsconfig.json), with the
suitkaise transform: @sk() becomes plain registration code, and every module that registers a
class or function gets a worker module <name>.sk-worker.js next to its output.

Type errors come from the project's own TypeScript: its tsc type-checks and emits the project,
then the modules that use @suitkaise/core are replaced with their transformed output. Without
typescript installed in the project, the build emits without type-checking and says so
(type-checking is then left to \`tsc --noEmit\`).

Options:
  -p, --project <tsconfig>  the tsconfig.json to build, or a directory holding one
  -w, --watch               build, then build again whenever a source file or the tsconfig changes
  -h, --help                print this text
`;

/** Where {@link main} writes; the defaults are the process's streams and working directory. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Paths in arguments and messages are relative to this. */
  cwd: string;
  /** Colour and code frames in TypeScript's messages, as tsc does on a terminal. */
  pretty: boolean;
}

/** What {@link build} did. */
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

/** Options of {@link build}. */
export interface BuildOptions {
  /** Colour and code frames in tsc's messages. */
  pretty?: boolean;
}

type Arguments = { help: true } | { error: string } | { project: string; watch: boolean };

function parseArguments(argv: readonly string[]): Arguments {
  const [command, ...rest] = argv;
  if (command === undefined) return { error: 'no command' };
  if (command === '--help' || command === '-h' || command === 'help') return { help: true };
  // `suitkaise -p tsconfig.json` reads as `suitkaise build -p tsconfig.json`.
  const args = command === 'build' ? rest : command.startsWith('-') ? argv : undefined;
  if (args === undefined) return { error: `unknown command: ${command}` };
  let project: string | undefined;
  let watch = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    let value: string | undefined;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--watch' || arg === '-w') {
      watch = true;
      continue;
    }
    if (arg === '-p' || arg === '--project') {
      value = args[++i];
      if (value === undefined) return { error: `${arg} needs a tsconfig.json (or a directory holding one)` };
    } else if (arg.startsWith('--project=')) {
      value = arg.slice('--project='.length);
    } else if (arg.startsWith('-')) {
      return { error: `unknown option: ${arg}` };
    } else {
      value = arg;
    }
    if (project !== undefined) return { error: `one project at a time (got ${project} and ${value})` };
    project = value;
  }
  return { project: project ?? 'tsconfig.json', watch };
}

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

/** Print what a build did; its exit code. */
function report(result: BuildResult, io: CliIo): number {
  if (result.typeErrorText) io.stderr(result.typeErrorText);
  const configErrors = result.errors.filter((error): error is ts.Diagnostic => !isTransformDiagnostic(error));
  if (configErrors.length > 0) io.stderr(formatTypeScript(configErrors, io));
  for (const error of result.errors) {
    if (isTransformDiagnostic(error)) io.stderr(`${diagnosticLine(error, io.cwd)}\n`);
  }
  for (const warning of result.warnings) io.stderr(`${diagnosticLine(warning, io.cwd)}\n`);
  const errors = result.typeErrors + result.errors.length;
  if (errors > 0) {
    io.stderr(`\nFound ${errors} error${errors === 1 ? '' : 's'}.\n`);
    return 1;
  }
  if (result.tsc === undefined) {
    io.stdout('suitkaise: not type-checked: typescript is not installed for this project (type-checking is left to `tsc --noEmit`)\n');
  }
  io.stdout(
    `suitkaise: ${result.written.length} file${result.written.length === 1 ? '' : 's'} written; ` +
      `${result.transformed.length} module${result.transformed.length === 1 ? '' : 's'} transformed, ` +
      `${result.workerModules.length} worker module${result.workerModules.length === 1 ? '' : 's'}\n`,
  );
  return 0;
}

/** A transformed module and, for worker modules, the module it was generated from. */
interface Replacement extends TransformedText {
  /** The TypeScript compiled instead of what is on disk (or in place of nothing); `mappings` map it to `originalText`. */
  text: string;
  worker: boolean;
}

/** What a watcher watches: the files and directories a build read from. */
interface WatchTargets {
  /** The tsconfig and the files it extends. */
  configs: string[];
  /** Directories the project's files come from, with whether their subdirectories count too. */
  directories: Map<string, boolean>;
  /** Every file the build writes, or tsc could (never a reason to build again). */
  outputs: Set<string>;
}

let typescript: typeof ts | undefined;

/** ts-morph's TypeScript (6), loaded on first use. */
async function loadTypeScript(): Promise<typeof ts> {
  typescript ??= (await import('ts-morph')).ts;
  return typescript;
}

/**
 * Compile the project of `tsconfig` (a file or a directory holding tsconfig.json, relative to
 * `cwd`), as described above. Never throws for problems in the project.
 */
export async function build(tsconfig: string, cwd: string = process.cwd(), options: BuildOptions = {}): Promise<BuildResult> {
  return (await compile(tsconfig, cwd, options)).result;
}

async function compile(tsconfig: string, cwd: string, options: BuildOptions, forWatch = false): Promise<{ result: BuildResult; targets?: WatchTargets }> {
  let configPath = resolve(cwd, tsconfig);
  if (existsSync(configPath) && statSync(configPath).isDirectory()) configPath = join(configPath, 'tsconfig.json');
  const tsc = projectTsc(dirname(configPath));
  if (tsc === undefined) return compileWithoutTsc(configPath, cwd);
  // The type-check and the plain emit start first: they take longest. The project's files and
  // options come from the same tsc (--showConfig), so that a build whose modules are all in the
  // cache loads no TypeScript here.
  const checked = runTsc(tsc, configPath, cwd, options.pretty ?? false);
  const shown = await showConfig(tsc, configPath, cwd);
  const result: BuildResult = { errors: [], typeErrors: 0, typeErrorText: '', tsc, warnings: [], written: [], transformed: [], workerModules: [] };
  const root = dirname(configPath);

  let parsed: ts.ParsedCommandLine | undefined;
  const parse = async (): Promise<ts.ParsedCommandLine | ts.Diagnostic[]> => {
    if (parsed) return parsed;
    const ts = await loadTypeScript();
    const configErrors: ts.Diagnostic[] = [];
    parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
      ...ts.sys,
      getCurrentDirectory: () => cwd,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic),
    });
    return parsed ?? configErrors;
  };
  let project = shown;
  if (project === undefined || forWatch) {
    const config = await parse();
    if (Array.isArray(config)) {
      await checked; // it reports the same problem; its output is not needed
      return { result: { ...result, errors: config } };
    }
    project ??= { files: config.fileNames, optionsKey: JSON.stringify(config.options), noEmit: Boolean(config.options.noEmit), emitDeclarationOnly: Boolean(config.options.emitDeclarationOnly), noEmitOnError: Boolean(config.options.noEmitOnError) };
  }

  // Each module that uses @suitkaise/core: from the build cache when it is unchanged, else transformed now.
  const cacheDir = cacheDirOf(root, 'build', onDisk().hasNodeModules);
  const entries: ModuleEntry[] = [];
  const misses: Array<{ fileName: string; text: string; key: string }> = [];
  const packageJsons = new Map<string, string>();
  for (const fileName of project.files) {
    if (!/\.[cm]?[jt]sx?$/.test(fileName) || /\.d\.[^.]*ts$/.test(fileName)) continue;
    let text: string;
    try {
      text = readFileSync(fileName, 'utf8');
    } catch {
      continue; // gone since the config was read: tsc reports it
    }
    if (!text.includes('@suitkaise/core')) continue;
    const key = createHash('sha256')
      .update(`${BUILD_CACHE_FORMAT}\0${buildFingerprint()}\0${configPath}\0${project.optionsKey}\0${fileName}\0${packageJsonOf(dirname(fileName), packageJsons)}\0`)
      .update(text)
      .digest('hex');
    const cached = cacheDir === undefined ? undefined : readEntry(join(cacheDir, `${key}.json`));
    if (cached) entries.push(cached);
    else misses.push({ fileName, text, key });
  }
  if (misses.length > 0) {
    const config = await parse();
    if (Array.isArray(config)) {
      await checked;
      return { result: { ...result, errors: config } };
    }
    const ts = await loadTypeScript();
    const { transform } = await import('./index.ts');
    for (const { fileName, text, key } of misses) {
      const entry = moduleEntry(ts, transform, config, root, fileName, text);
      entries.push(entry);
      if (cacheDir !== undefined) writeEntry(cacheDir, join(cacheDir, `${key}.json`), entry);
    }
  }

  const errors: Array<ts.Diagnostic | Diagnostic> = [];
  for (const entry of entries) {
    const found = errorsAndWarnings(entry.diagnostics);
    errors.push(...found.errors);
    result.warnings.push(...found.warnings);
    if (entry.transformed) result.transformed.push(entry.fileName);
    // Registrations read `import.meta.url`: the transformed modules must compile to ES modules.
    if (!entry.esm) errors.push(esmRequired(entry.fileName));
  }
  const typeCheck = await checked;
  result.typeErrors = typeCheck.errors;
  result.typeErrorText = typeCheck.text;
  result.written.push(...typeCheck.emitted);
  result.errors = errors;
  const skip = project.noEmit || project.emitDeclarationOnly || (project.noEmitOnError && (errors.length > 0 || typeCheck.errors > 0));
  if (!skip) {
    for (const output of entries.flatMap((entry) => entry.outputs)) {
      write(output.path, output.text, result);
      if (output.worker) result.workerModules.push(output.path);
    }
  }
  result.written = [...new Set(result.written)];
  if (result.workerModules.length > 0 && result.errors.length === 0) await prepareWorkerBundles(result.workerModules);
  let targets: WatchTargets | undefined;
  if (forWatch && parsed) {
    const ts = await loadTypeScript();
    targets = watchTargets(ts, parsed, configPath);
    for (const output of entries.flatMap((entry) => entry.outputs)) targets.outputs.add(output.path);
  }
  return { result, targets };
}

/** The build of a project without a tsc of its own: ts-morph's TypeScript emits it all, unchecked. */
async function compileWithoutTsc(configPath: string, cwd: string): Promise<{ result: BuildResult; targets?: WatchTargets }> {
  const result: BuildResult = { errors: [], typeErrors: 0, typeErrorText: '', tsc: undefined, warnings: [], written: [], transformed: [], workerModules: [] };
  const ts = await loadTypeScript();
  const configErrors: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    getCurrentDirectory: () => cwd,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic),
  });
  if (parsed === undefined) return { result: { ...result, errors: configErrors } };
  const compilerOptions = parsed.options;
  const root = dirname(configPath);
  const errors: Array<ts.Diagnostic | Diagnostic> = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error);
  const { transform } = await import('./index.ts');
  const replacements = new Map<string, Replacement>();
  for (const fileName of parsed.fileNames) {
    if (!/\.[cm]?[jt]sx?$/.test(fileName) || /\.d\.[^.]*ts$/.test(fileName)) continue;
    const text = readFileSync(fileName, 'utf8');
    if (!text.includes('@suitkaise/core')) continue;
    const module = transformModule(ts, transform, compilerOptions, root, fileName, text);
    const found = errorsAndWarnings(module.diagnostics);
    errors.push(...found.errors);
    result.warnings.push(...found.warnings);
    if (module.replacements.length === 0) continue;
    result.transformed.push(fileName);
    if (!emitsEsm(ts, fileName, compilerOptions)) errors.push(esmRequired(fileName));
    for (const [name, replacement] of module.replacements) replacements.set(name, replacement);
  }
  const workerFiles = [...replacements].filter(([, replacement]) => replacement.worker).map(([fileName]) => fileName);
  result.errors = errors;
  if (!compilerOptions.noEmit && !(compilerOptions.noEmitOnError && errors.length > 0)) {
    emitWithProgram(ts, parsed, replacements, workerFiles, result, errors);
  }
  result.written = [...new Set(result.written)];
  if (result.workerModules.length > 0 && result.errors.length === 0) await prepareWorkerBundles(result.workerModules);
  return { result, targets: watchTargets(ts, { ...parsed, fileNames: [...parsed.fileNames, ...workerFiles] }, configPath) };
}

/** What the build does for one module that uses @suitkaise/core; cached as is. */
interface ModuleEntry {
  fileName: string;
  /** The transform's errors and warnings. */
  diagnostics: Diagnostic[];
  /** The transform changed it. */
  transformed: boolean;
  /** It compiles to an ES module (or was left alone). */
  esm: boolean;
  /** The files that replace tsc's output for it, and its worker module's (`worker`: the worker module's JavaScript). */
  outputs: Array<{ path: string; text: string; worker: boolean }>;
}

type Transform = typeof import('./index.ts').transform;

/** The module as the app imports it and, when it registers something, as a worker imports it. */
function transformModule(
  ts: typeof import('ts-morph').ts,
  transform: Transform,
  compilerOptions: ts.CompilerOptions,
  root: string,
  fileName: string,
  text: string,
): { diagnostics: Diagnostic[]; replacements: Array<[string, Replacement]> } {
  const suffix = `${WORKER_MODULE_INFIX}${outputExtensionOf(ts, fileName, compilerOptions)}`;
  const module = transform(text, fileName, { root, target: 'module', browserWorkers: false, workerModuleSuffix: suffix });
  if (!module.changed || module.map === null) return { diagnostics: module.diagnostics, replacements: [] };
  const replacements: Array<[string, Replacement]> = [
    [fileName, { text: module.code, original: fileName, originalText: text, mappings: decode(module.map.mappings), worker: false }],
  ];
  if (module.registrations.length > 0) {
    const worker = transform(text, fileName, { root, target: 'worker-module' });
    replacements.push([workerModuleSourceOf(fileName), {
      text: worker.code,
      original: fileName,
      originalText: text,
      mappings: worker.map ? decode(worker.map.mappings) : identityMappings(text),
      worker: true,
    }]);
  }
  return { diagnostics: module.diagnostics, replacements };
}

function moduleEntry(ts: typeof import('ts-morph').ts, transform: Transform, parsed: ts.ParsedCommandLine, root: string, fileName: string, text: string): ModuleEntry {
  const { diagnostics, replacements } = transformModule(ts, transform, parsed.options, root, fileName, text);
  if (replacements.length === 0) return { fileName, diagnostics, transformed: false, esm: true, outputs: [] };
  const withWorkers: ts.ParsedCommandLine = { ...parsed, fileNames: [...parsed.fileNames, ...replacements.filter(([, r]) => r.worker).map(([name]) => name)] };
  return { fileName, diagnostics, transformed: true, esm: emitsEsm(ts, fileName, parsed.options), outputs: compileReplacements(ts, withWorkers, replacements) };
}

interface ShownConfig {
  /** Absolute paths of the project's files. */
  files: string[];
  /** The compiler options, as a cache key. */
  optionsKey: string;
  noEmit: boolean;
  emitDeclarationOnly: boolean;
  noEmitOnError: boolean;
}

/** The project's files and options as its tsc resolves them (`tsc -p <config> --showConfig`); `undefined` if that fails. */
function showConfig(tsc: string, configPath: string, cwd: string): Promise<ShownConfig | undefined> {
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

/** Bumped whenever what an entry holds changes in a way its key does not show. */
const BUILD_CACHE_FORMAT = 1;
let fingerprint: string | undefined;

/**
 * What cached entries depend on besides the module, the project options and the package.json
 * next to it: ts-morph's version and this package's code (paths, sizes and modification times of
 * the files this runs from: its src/ or dist/).
 */
function buildFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  try {
    hash.update(readFileSync(createRequire(import.meta.url).resolve('ts-morph/package.json')));
  } catch {
    hash.update('no ts-morph');
  }
  const self = fileURLToPath(import.meta.url);
  const dir = dirname(self);
  const files = /[\\/]cli\.[jt]s$/.test(self) && (existsSync(join(dir, 'index.ts')) || existsSync(join(dir, 'index.js')))
    ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !entry.name.endsWith('.map')).map((entry) => join(entry.parentPath, entry.name)).sort()
    : [self];
  for (const file of files) {
    const stat = statSync(file);
    hash.update(`\0${file}\0${stat.size}\0${stat.mtimeMs}`);
  }
  fingerprint = hash.digest('hex');
  return fingerprint;
}

/** The text of the package.json nearest to `dir` (it decides whether a `.ts` file is an ES module), or ''. */
function packageJsonOf(dir: string, seen: Map<string, string>): string {
  let text = seen.get(dir);
  if (text !== undefined) return text;
  const file = join(dir, 'package.json');
  text = existsSync(file) ? readFileSync(file, 'utf8') : dirname(dir) === dir ? '' : packageJsonOf(dirname(dir), seen);
  seen.set(dir, text);
  return text;
}

function readEntry(file: string): ModuleEntry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ModuleEntry;
  } catch {
    return undefined;
  }
}

/** Write through a temporary file (a concurrent build never reads half an entry); a read-only cache is no error. */
function writeEntry(dir: string, file: string, entry: ModuleEntry): void {
  try {
    mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, file);
  } catch {
    // no cache: the next build transforms again
  }
}

/** The project's own tsc (`typescript` as the project resolves it), or `undefined` when it has none. */
function projectTsc(dir: string): string | undefined {
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

interface TscRun {
  /** Type (and configuration) errors it reported. */
  errors: number;
  /** What it printed, minus the emitted-files list and its closing summary. */
  text: string;
  /** Files it wrote. */
  emitted: string[];
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const ERROR_LINE = /^(?:\S.*?(?:\(\d+,\d+\): | - ))?error TS\d+:/;
const SUMMARY_LINE = /^Found \d+ errors?\b/;

/** `tsc -p <config>` in `cwd`, its messages as a terminal would show them when `pretty`. */
function runTsc(tsc: string, configPath: string, cwd: string, pretty: boolean): Promise<TscRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [tsc, '-p', configPath, '--listEmittedFiles', '--pretty', String(pretty)], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    const settle = (code: number | null, failure?: Error) => {
      const emitted: string[] = [];
      const kept: string[] = [];
      let errors = 0;
      let summary = false;
      for (const line of output.split('\n')) {
        if (line.startsWith('TSFILE: ')) {
          emitted.push(resolve(cwd, line.slice('TSFILE: '.length).trim()));
          continue;
        }
        const plain = line.replace(ANSI, '');
        if (SUMMARY_LINE.test(plain)) summary = true;
        if (summary) continue; // "Found 2 errors in 2 files." and its table: the build prints its own count
        if (ERROR_LINE.test(plain)) errors += 1;
        kept.push(line);
      }
      let text = kept.join('\n').replace(/\n+$/, '');
      if (text) text += '\n';
      if (failure || (code !== 0 && errors === 0)) {
        // tsc itself failed (it crashed, or was killed): that is one error, with what it said.
        errors = 1;
        text += `suitkaise: ${tsc} ${failure ? `could not run: ${failure.message}` : `exited with code ${code}`}\n`;
      }
      resolvePromise({ errors, text, emitted });
    };
    child.once('error', (error) => settle(null, error));
    child.once('close', (code) => settle(code));
  });
}

/** Whether `fileName` compiles to an ES module under `options`. */
function emitsEsm(ts: typeof import('ts-morph').ts, fileName: string, options: ts.CompilerOptions): boolean {
  const kind = moduleKindOf(ts, options);
  if (kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext) {
    return ts.getImpliedNodeFormatForFile(fileName, undefined, ts.sys, options) === ts.ModuleKind.ESNext;
  }
  return [ts.ModuleKind.ES2015, ts.ModuleKind.ES2020, ts.ModuleKind.ES2022, ts.ModuleKind.ESNext, ts.ModuleKind.Preserve].includes(kind);
}

function moduleKindOf(ts: typeof import('ts-morph').ts, options: ts.CompilerOptions): ts.ModuleKind {
  const fromTypeScript = (ts as unknown as { getEmitModuleKind?: (options: ts.CompilerOptions) => ts.ModuleKind }).getEmitModuleKind;
  if (fromTypeScript) return fromTypeScript(options);
  return options.module ?? ((options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2015 ? ts.ModuleKind.ES2015 : ts.ModuleKind.CommonJS);
}

/**
 * What replaces tsc's output for a transformed module (its JavaScript and map) and its worker
 * module, compiled file by file with the project's options (the transform keeps what isolated
 * compilation needs: the modules import what they use).
 */
function compileReplacements(ts: typeof import('ts-morph').ts, parsed: ts.ParsedCommandLine, replacements: ReadonlyArray<[string, Replacement]>): ModuleEntry['outputs'] {
  const compilerOptions: ts.CompilerOptions = { ...parsed.options };
  const kind = moduleKindOf(ts, compilerOptions);
  if (kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext) {
    // Every module here is an ES module (checked apart); file by file, TypeScript cannot look up package.json "type".
    compilerOptions.module = ts.ModuleKind.ESNext;
    compilerOptions.moduleResolution = ts.ModuleResolutionKind.Bundler;
  }
  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  const outputs: ModuleEntry['outputs'] = [];
  for (const [fileName, replacement] of replacements) {
    const js = ts.getOutputFileNames(parsed, fileName, ignoreCase).find((output) => /\.[cm]?jsx?$/.test(output));
    if (js === undefined) continue;
    const output = ts.transpileModule(replacement.text, { compilerOptions, fileName });
    outputs.push({ path: js, text: composeEmitted(js, output.outputText, replacement), worker: replacement.worker });
    if (output.sourceMapText !== undefined && compilerOptions.sourceMap) {
      outputs.push({ path: `${js}.map`, text: composeEmitted(`${js}.map`, output.sourceMapText, replacement), worker: false });
    }
  }
  return outputs;
}

function write(file: string, text: string, result: BuildResult): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  result.written.push(file);
}

/**
 * The emit of a project without a tsc of its own: one program of ts-morph's TypeScript over the
 * transformed modules and the worker modules, not type-checked.
 */
function emitWithProgram(
  ts: typeof import('ts-morph').ts,
  parsed: ts.ParsedCommandLine,
  replacements: Map<string, Replacement>,
  workers: readonly string[],
  result: BuildResult,
  errors: Array<ts.Diagnostic | Diagnostic>,
): void {
  const options = parsed.options;
  const host = withTypeScriptLibs(ts, ts.createCompilerHost(options, true));
  const emitHost: ts.CompilerHost = {
    ...host,
    getSourceFile(fileName, languageVersion, onError, shouldCreate) {
      const replacement = replacements.get(fileName);
      if (replacement) return ts.createSourceFile(fileName, replacement.text, languageVersion, true);
      return host.getSourceFile(fileName, languageVersion, onError, shouldCreate);
    },
    fileExists: (fileName) => replacements.has(fileName) || host.fileExists(fileName),
    readFile: (fileName) => replacements.get(fileName)?.text ?? host.readFile(fileName),
  };
  const program = ts.createProgram({
    rootNames: [...parsed.fileNames, ...workers],
    options,
    host: emitHost,
    projectReferences: parsed.projectReferences,
  });
  const workerFiles = new Set(workers);
  const emitted = program.emit(undefined, (fileName, text, bom, onError, sourceFiles) => {
    const replacement = sourceFiles?.length === 1 ? replacements.get(sourceFiles[0]!.fileName) : undefined;
    // A worker module is an implementation file: no declarations for it.
    if (replacement?.worker && /\.d\.[cm]?ts(?:\.map)?$/.test(fileName)) return;
    host.writeFile(fileName, replacement ? composeEmitted(fileName, text, replacement) : text, bom, onError, sourceFiles);
    result.written.push(fileName);
    if (replacement?.worker && !fileName.endsWith('.map')) result.workerModules.push(fileName);
  });
  errors.push(...emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error && !(d.file && workerFiles.has(d.file.fileName))));
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
  const { prepareWorkerBundle } = await import('./node-worker/bundle.ts');
  await Promise.all(workerModules.map((file) =>
    prepareWorkerBundle({ id: file, workerModuleUrl: pathToFileURL(file).href }).catch(() => undefined)));
}

/**
 * ts-morph's TypeScript is bundled into one file, without the `lib.*.d.ts` files next to it that
 * its default host looks for; ts-morph serves them from memory (@ts-morph/common, its own
 * dependency, resolved from ts-morph's location so that any install layout works). Do the same.
 */
function withTypeScriptLibs(ts: typeof import('ts-morph').ts, host: ts.CompilerHost): ts.CompilerHost {
  const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
  const common = fromTsMorph('@ts-morph/common') as { getLibFiles(): Array<{ fileName: string; text: string }>; libFolderInMemoryPath: string };
  const folder = common.libFolderInMemoryPath;
  const texts = new Map(common.getLibFiles().map((lib) => [`${folder}/${lib.fileName}`, lib.text]));
  const parsed = new Map<string, ts.SourceFile>();
  return {
    ...host,
    getDefaultLibLocation: () => folder,
    getDefaultLibFileName: (options) => `${folder}/${ts.getDefaultLibFileName(options)}`,
    getSourceFile(fileName, languageVersion, onError, shouldCreate) {
      const text = texts.get(fileName);
      if (text === undefined) return host.getSourceFile(fileName, languageVersion, onError, shouldCreate);
      let file = parsed.get(fileName);
      if (!file) parsed.set(fileName, (file = ts.createSourceFile(fileName, text, languageVersion)));
      return file;
    },
    fileExists: (fileName) => texts.has(fileName) || host.fileExists(fileName),
    readFile: (fileName) => texts.get(fileName) ?? host.readFile(fileName),
    directoryExists: (directory) => directory === folder || (host.directoryExists?.(directory) ?? true),
  };
}

// ---------------------------------------------------------------------------------------------
// --watch

/** What to watch after a build: the configs, the source directories, and which files are outputs. */
function watchTargets(ts: typeof import('ts-morph').ts, parsed: ts.ParsedCommandLine, configPath: string): WatchTargets {
  const extended = (parsed.options.configFile as { extendedSourceFiles?: string[] } | undefined)?.extendedSourceFiles ?? [];
  const directories = new Map<string, boolean>();
  for (const [dir, flags] of Object.entries(parsed.wildcardDirectories ?? {})) {
    directories.set(resolve(dir), (flags & ts.WatchDirectoryFlags.Recursive) !== 0);
  }
  for (const file of parsed.fileNames) {
    const dir = dirname(file);
    if (!directories.has(dir)) directories.set(dir, false);
  }
  const outputs = new Set<string>();
  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  for (const file of parsed.fileNames) {
    try {
      for (const output of ts.getOutputFileNames(parsed, file, ignoreCase)) outputs.add(resolve(output));
    } catch {
      // a file TypeScript does not emit
    }
  }
  if (parsed.options.tsBuildInfoFile) outputs.add(resolve(parsed.options.tsBuildInfoFile));
  return { configs: [configPath, ...extended].map((file) => resolve(file)), directories, outputs };
}

/** Directories under `dir` (itself included) a recursive include covers: not node_modules, not hidden ones. */
function directoriesUnder(dir: string): string[] {
  const found = [dir];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...directoriesUnder(join(dir, entry.name)));
  }
  return found;
}

const WATCHED = /\.(?:[cm]?tsx?|[cm]?jsx?|json)$/;

/**
 * Build, then build again whenever a file of the project changes (a source file in its
 * directories, or a tsconfig it reads), until the process ends. Changes that arrive during a
 * build start one more build once it is done.
 */
async function watch(tsconfig: string, io: CliIo): Promise<number> {
  let watchers: FSWatcher[] = [];
  let outputs = new Set<string>();
  let configs = new Set<string>();
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const time = () => new Date().toLocaleTimeString();

  const changed = (path: string | undefined) => {
    if (path !== undefined && !configs.has(path) && (outputs.has(path) || !WATCHED.test(path) || /[\\/]node_modules[\\/]/.test(path))) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), 100);
  };

  const rewatch = (targets: WatchTargets | undefined, configPath: string) => {
    for (const watcher of watchers) watcher.close();
    watchers = [];
    outputs = targets?.outputs ?? new Set();
    configs = new Set(targets?.configs ?? [configPath]);
    const watchDir = (dir: string) => {
      try {
        const watcher = watchPath(dir, (_event, name) => changed(name ? join(dir, name.toString()) : undefined));
        watcher.on('error', () => watcher.close());
        watchers.push(watcher);
      } catch {
        // gone: the next build watches what is there then
      }
    };
    for (const [dir, recursive] of targets?.directories ?? []) for (const sub of recursive ? directoriesUnder(dir) : [dir]) watchDir(sub);
    // A config is watched through its directory: editors replace files, which ends a watch on the file itself.
    for (const dir of new Set([...configs].map((config) => dirname(config)))) watchDir(dir);
  };

  const configPath = (() => {
    const path = resolve(io.cwd, tsconfig);
    return existsSync(path) && statSync(path).isDirectory() ? join(path, 'tsconfig.json') : path;
  })();

  const rebuild = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      io.stdout(`[${time()}] ${watchers.length === 0 ? 'Starting compilation in watch mode...' : 'File change detected. Starting incremental compilation...'}\n`);
      const { result, targets } = await compile(tsconfig, io.cwd, { pretty: io.pretty }, true);
      report(result, io);
      rewatch(targets, configPath);
      io.stdout(`[${time()}] Watching for file changes.\n`);
    } while (again);
    running = false;
  };

  await rebuild();
  return new Promise<number>(() => {}); // until the process is ended
}

// ---------------------------------------------------------------------------------------------

function isTransformDiagnostic(error: ts.Diagnostic | Diagnostic): error is Diagnostic {
  return typeof error.code === 'string';
}

function formatTypeScript(diagnostics: readonly ts.Diagnostic[], io: CliIo): string {
  const ts = typescript;
  // Only messages without a file come before TypeScript is loaded (a module that must be an ES module).
  if (ts === undefined) return diagnostics.map((d) => `error TS${d.code}: ${typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText}\n`).join('');
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => io.cwd,
    getNewLine: () => '\n',
  };
  return io.pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
}

function esmRequired(original: string): ts.Diagnostic {
  return {
    category: 1 as ts.DiagnosticCategory.Error, // without loading TypeScript for its enum
    code: 1343,
    file: undefined,
    start: undefined,
    length: undefined,
    messageText:
      `${original}: suitkaise registrations use import.meta.url, so this module must compile to an ES module ` +
      `(set "module" to "es2022", "esnext" or "nodenext" with "type": "module" in package.json).`,
  };
}

/** The extension tsc gives `fileName`'s JavaScript output. */
function outputExtensionOf(ts: typeof import('ts-morph').ts, fileName: string, options: ts.CompilerOptions): string {
  if (/\.m[jt]s$/.test(fileName)) return '.mjs';
  if (/\.c[jt]s$/.test(fileName)) return '.cjs';
  if (/\.[jt]sx$/.test(fileName) && options.jsx === ts.JsxEmit.Preserve) return '.jsx';
  return '.js';
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    pretty: Boolean(process.stdout.isTTY),
  };
}
