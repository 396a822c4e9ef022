/**
 * `suitkaise build <tsconfig>`: compile a project the way `tsc -p <tsconfig>` does, with the
 * suitkaise transform applied, for projects that use no bundler.
 *
 * - Type errors come from the project as written (positions are the user's), then the emit runs
 *   over the transformed modules: `@sk()` replaced by registrations, ids relative to the
 *   tsconfig's directory.
 * - Each module that registers something also gets a sibling `<name>.sk-worker.js` (its
 *   `'worker-module'` output: pruned of top-level side effects, emitted with the same options),
 *   and its registrations carry `workerModuleUrl`, so `@suitkaise/node` bundles that file
 *   instead of needing the TypeScript sources and the transform at run time.
 * - Source maps (`sourceMap`, `inlineSourceMap`, `declarationMap`) point at the original files.
 *
 * @packageDocumentation
 */
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ts } from 'ts-morph';
import { transform } from './index.ts';
import type { Diagnostic } from './index.ts';

/** Inserted before the emitted extension of each module's worker module: `counter.sk-worker.js`. */
export const WORKER_MODULE_INFIX = '.sk-worker';

const USAGE = `Usage: suitkaise build [tsconfig]

Compiles a TypeScript project like \`tsc -p <tsconfig>\` (default: ./tsconfig.json), with the
suitkaise transform: @sk() becomes plain registration code, and every module that registers a
class or function gets a worker module <name>.sk-worker.js next to its output.
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
  /** Configuration, TypeScript and transform errors, in that order. */
  errors: ReadonlyArray<ts.Diagnostic | Diagnostic>;
  /** Transform warnings (`severity: 'warning'`): printed, but they do not fail the build. */
  warnings: Diagnostic[];
  /** Absolute paths of every file written. */
  written: string[];
  /** Absolute paths of the source modules the transform changed. */
  transformed: string[];
  /** Absolute paths of the worker modules written (`*.sk-worker.js`). */
  workerModules: string[];
}

/**
 * Run the CLI with `argv` (without `node` and the script). Resolves to the exit code: `0` when
 * the build had no error, `1` when it had one, `2` for a usage error.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command !== 'build' || rest.length > 1 || rest.some((arg) => arg.startsWith('-'))) {
    io.stderr(command === undefined ? USAGE : `suitkaise: unknown arguments: ${argv.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const result = build(rest[0] ?? 'tsconfig.json', io.cwd);
  const typescriptErrors = result.errors.filter((error): error is ts.Diagnostic => !isTransformDiagnostic(error));
  if (typescriptErrors.length > 0) io.stderr(formatTypeScript(typescriptErrors, io));
  for (const error of result.errors) {
    if (isTransformDiagnostic(error)) io.stderr(`${formatTransform(error, io.cwd)}\n`);
  }
  for (const warning of result.warnings) io.stderr(`${formatTransform(warning, io.cwd)}\n`);
  if (result.errors.length > 0) {
    io.stderr(`\nFound ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}.\n`);
    return 1;
  }
  io.stdout(
    `suitkaise: ${result.written.length} file${result.written.length === 1 ? '' : 's'} written; ` +
      `${result.transformed.length} module${result.transformed.length === 1 ? '' : 's'} transformed, ` +
      `${result.workerModules.length} worker module${result.workerModules.length === 1 ? '' : 's'}\n`,
  );
  return 0;
}

/** A transformed module and, for worker modules, the module it was generated from. */
interface Replacement {
  /** The TypeScript the emit program compiles instead of what is on disk (or in place of nothing). */
  text: string;
  /** The user's file the positions of `text` map back to. */
  original: string;
  originalText: string;
  /** `text` → `originalText`, decoded. */
  mappings: Segment[][];
  worker: boolean;
}

/**
 * Compile the project of `tsconfig` (a file or a directory holding tsconfig.json, relative to
 * `cwd`). Writes the output through TypeScript's own host, unless the options say `noEmit`, or
 * `noEmitOnError` and there are errors. Never throws for problems in the project.
 */
export function build(tsconfig: string, cwd: string = process.cwd()): BuildResult {
  const result: BuildResult = { errors: [], warnings: [], written: [], transformed: [], workerModules: [] };
  let configPath = resolve(cwd, tsconfig);
  if (existsSync(configPath) && statSync(configPath).isDirectory()) configPath = join(configPath, 'tsconfig.json');
  const configErrors: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    getCurrentDirectory: () => cwd,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic),
  });
  if (parsed === undefined) return { ...result, errors: configErrors };
  const options = parsed.options;
  const root = dirname(configPath);
  const host = withTypeScriptLibs(ts.createCompilerHost(options, true));
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options,
    host,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
  });
  const errors: Array<ts.Diagnostic | Diagnostic> = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);

  const replacements = new Map<string, Replacement>();
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file) || program.isSourceFileDefaultLibrary(file)) continue;
    const text = file.getFullText();
    if (!text.includes('@suitkaise/core')) continue;
    const outputExtension = outputExtensionOf(file.fileName, options);
    const suffix = `${WORKER_MODULE_INFIX}${outputExtension}`;
    const module = transform(text, file.fileName, { root, target: 'module', browserWorkers: false, workerModuleSuffix: suffix });
    for (const diagnostic of module.diagnostics) (diagnostic.severity === 'error' ? errors : result.warnings).push(diagnostic);
    if (!module.changed || module.map === null) continue;
    result.transformed.push(file.fileName);
    replacements.set(file.fileName, { text: module.code, original: file.fileName, originalText: text, mappings: decodeMappings(module.map.mappings), worker: false });
    if (module.registrations.length === 0) continue;
    const worker = transform(text, file.fileName, { root, target: 'worker-module' });
    const sourceExtension = /\.[^./\\]+$/.exec(file.fileName)?.[0] ?? '.ts';
    const workerFile = `${file.fileName.slice(0, -sourceExtension.length)}${WORKER_MODULE_INFIX}${sourceExtension}`;
    replacements.set(workerFile, {
      text: worker.code,
      original: file.fileName,
      originalText: text,
      mappings: worker.map ? decodeMappings(worker.map.mappings) : identityMappings(text),
      worker: true,
    });
  }
  result.errors = errors;
  if (options.noEmit || (options.noEmitOnError && errors.length > 0)) return result;

  const emitHost: ts.CompilerHost = {
    ...host,
    getSourceFile(fileName, languageVersion, onError, shouldCreate) {
      const replacement = replacements.get(fileName);
      if (replacement) return ts.createSourceFile(fileName, replacement.text, languageVersion, true);
      return program.getSourceFile(fileName) ?? host.getSourceFile(fileName, languageVersion, onError, shouldCreate);
    },
    fileExists: (fileName) => replacements.has(fileName) || host.fileExists(fileName),
    readFile: (fileName) => replacements.get(fileName)?.text ?? host.readFile(fileName),
  };
  const workers = [...replacements].filter(([, replacement]) => replacement.worker).map(([fileName]) => fileName);
  const emitProgram = ts.createProgram({
    rootNames: [...parsed.fileNames, ...workers],
    options,
    host: emitHost,
    oldProgram: program,
    projectReferences: parsed.projectReferences,
  });
  // Registrations read `import.meta.url`: the transformed modules must compile to ES modules.
  for (const [fileName, replacement] of replacements) {
    const file = replacement.worker ? undefined : emitProgram.getSourceFile(fileName);
    const cjs = file ? emitProgram.getSemanticDiagnostics(file).find((d) => d.code === 1343 || d.code === 1470) : undefined;
    if (cjs) errors.push(esmRequired(cjs, replacement.original));
  }
  if (options.noEmitOnError && errors.length > 0) return result;

  const emitted = emitProgram.emit(undefined, (fileName, text, bom, onError, sourceFiles) => {
    const replacement = sourceFiles?.length === 1 ? replacements.get(sourceFiles[0]!.fileName) : undefined;
    // A worker module is an implementation file: no declarations for it.
    if (replacement?.worker && /\.d\.[cm]?ts(?:\.map)?$/.test(fileName)) return;
    host.writeFile(fileName, replacement ? remapSourceMaps(fileName, text, replacement) : text, bom, onError, sourceFiles);
    result.written.push(fileName);
    if (replacement?.worker && !fileName.endsWith('.map')) result.workerModules.push(fileName);
  });
  const workerFiles = new Set(workers);
  errors.push(...emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error && !(d.file && workerFiles.has(d.file.fileName))));
  return result;
}

/**
 * ts-morph's TypeScript is bundled into one file, without the `lib.*.d.ts` files next to it that
 * its default host looks for; ts-morph serves them from memory (@ts-morph/common, its own
 * dependency, resolved from ts-morph's location so that any install layout works). Do the same.
 */
function withTypeScriptLibs(host: ts.CompilerHost): ts.CompilerHost {
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

function isTransformDiagnostic(error: ts.Diagnostic | Diagnostic): error is Diagnostic {
  return typeof error.code === 'string';
}

/** `src/a.ts:5:3 SK002 message` (`SK101 warning: message` for a warning), the path relative to `cwd` when inside it. */
export function formatTransform(diagnostic: Diagnostic, cwd: string): string {
  const code = diagnostic.severity === 'warning' ? `${diagnostic.code} warning:` : diagnostic.code;
  return `${displayPath(diagnostic.file, cwd)}:${diagnostic.line}:${diagnostic.column} ${code} ${diagnostic.message}`;
}

function formatTypeScript(diagnostics: readonly ts.Diagnostic[], io: CliIo): string {
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => io.cwd,
    getNewLine: () => '\n',
  };
  return io.pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
}

function displayPath(file: string, cwd: string): string {
  const inside = relative(cwd, file);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split('\\').join('/') : file;
}

function esmRequired(diagnostic: ts.Diagnostic, original: string): ts.Diagnostic {
  return {
    category: ts.DiagnosticCategory.Error,
    code: diagnostic.code,
    file: undefined,
    start: undefined,
    length: undefined,
    messageText:
      `${original}: suitkaise registrations use import.meta.url, so this module must compile to an ES module ` +
      `(set "module" to "es2022", "esnext" or "nodenext" with "type": "module" in package.json).`,
  };
}

/** The extension tsc gives `fileName`'s JavaScript output. */
function outputExtensionOf(fileName: string, options: ts.CompilerOptions): string {
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

// ---------------------------------------------------------------------------------------------
// Source maps. tsc maps its output to the text it compiled, the transformed module; each
// segment is moved through the transform's own map to the user's file. Segments that land in
// generated code (the registration lines) are dropped.

/** A decoded source map segment: generated column, then source, line, column and name indexes (absolute, 0-based). */
type Segment = number[];

interface RawSourceMap {
  version: number;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: Array<string | null>;
  names: string[];
  mappings: string;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

function remapSourceMaps(fileName: string, text: string, replacement: Replacement): string {
  if (fileName.endsWith('.map')) return JSON.stringify(remap(JSON.parse(text) as RawSourceMap, replacement));
  const inline = INLINE_MAP.exec(text);
  if (inline === null) return text;
  const map = remap(JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8')) as RawSourceMap, replacement);
  return `${text.slice(0, inline.index)}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** `map` (output → transformed text) composed with the transform's map (transformed → original). */
export function remap(map: RawSourceMap, replacement: Pick<Replacement, 'original' | 'originalText' | 'mappings'>): RawSourceMap {
  const lines = decodeMappings(map.mappings).map((segments) =>
    segments.flatMap((segment) => {
      if (segment.length < 4) return [segment];
      const original = originalPosition(replacement.mappings, segment[2]!, segment[3]!);
      if (original === undefined) return [];
      return [[segment[0]!, segment[1]!, original[0], original[1], ...segment.slice(4)]];
    }),
  );
  return {
    ...map,
    // A worker module's map names the file it was generated from.
    sources: map.sources.map((source) => source.replace(/[^/\\]*$/, basename(replacement.original))),
    ...(map.sourcesContent ? { sourcesContent: map.sources.map(() => replacement.originalText) } : {}),
    mappings: encodeMappings(lines),
  };
}

/** Where 0-based `line`/`column` of the transformed text came from, if from the original at all. */
function originalPosition(mappings: Segment[][], line: number, column: number): [number, number] | undefined {
  let found: Segment | undefined;
  for (const segment of mappings[line] ?? []) {
    if (segment[0]! > column) break;
    if (segment.length >= 4) found = segment;
  }
  return found ? [found[2]!, found[3]! + (column - found[0]!)] : undefined;
}

function identityMappings(text: string): Segment[][] {
  return text.split('\n').map((_, line) => [[0, 0, line, 0]]);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decode VLQ `mappings` into absolute segments per generated line. */
export function decodeMappings(mappings: string): Segment[][] {
  const state = [0, 0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    const segments: Segment[] = [];
    for (const field of line.split(',')) {
      if (field === '') continue;
      const segment: Segment = [];
      let value = 0;
      let shift = 0;
      for (const char of field) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
          continue;
        }
        const index = segment.length;
        state[index] = state[index]! + (value & 1 ? -(value >>> 1) : value >>> 1);
        segment.push(state[index]!);
        value = 0;
        shift = 0;
      }
      segments.push(segment);
    }
    return segments;
  });
}

/** Encode absolute segments per generated line as VLQ `mappings`. */
export function encodeMappings(lines: Segment[][]): string {
  const state = [0, 0, 0, 0, 0];
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments
        .map((segment) =>
          segment
            .map((value, index) => {
              const delta = value - state[index]!;
              state[index] = value;
              let vlq = delta < 0 ? (-delta << 1) | 1 : delta << 1;
              let out = '';
              do {
                let digit = vlq & 31;
                vlq >>>= 5;
                if (vlq > 0) digit |= 32;
                out += BASE64[digit];
              } while (vlq > 0);
              return out;
            })
            .join(''),
        )
        .join(',');
    })
    .join(';');
}
