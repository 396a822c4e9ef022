/**
 * One module that uses @suitkaise/core, through the build: the transform makes the module as the
 * app imports it and, when it registers something, its worker module (`<name>.sk-worker.ts`, a
 * file only in memory); TypeScript compiles each file by file with the project's options, and
 * their source maps are composed through the transform's to point at the user's file.
 */
import { decode } from '@jridgewell/sourcemap-codec';
import type { ts } from 'ts-morph';
import { WORKER_MODULE_INFIX, workerModuleSourceOf } from '../host/ids.ts';
import { composeEmitted, identityMappings, type TransformedText } from '../host/source-map.ts';
import type { Diagnostic } from '../index.ts';
import { emitsEsm, isNodeModuleKind, moduleKindOf, outputExtensionOf, type TypeScript } from './typescript.ts';

/** The transform, as the build calls it (loaded on first use, with ts-morph). */
export type Transform = typeof import('../index.ts').transform;

/** A transformed module and, for worker modules, the module it was generated from. */
export interface Replacement extends TransformedText {
  /** The TypeScript compiled instead of what is on disk (or in place of nothing); `mappings` map it to `originalText`. */
  text: string;
  /** It is a worker module (its JavaScript is a `*.sk-worker.js`). */
  worker: boolean;
}

/** A file the build writes in place of tsc's output (or beside it, for a worker module). */
export interface ModuleOutput {
  /** Absolute path. */
  path: string;
  text: string;
  /** It is a worker module's JavaScript. */
  worker: boolean;
}

/** What the build does for one module that uses @suitkaise/core; cached as is. */
export interface ModuleEntry {
  fileName: string;
  /** The transform's errors and warnings. */
  diagnostics: Diagnostic[];
  /** The transform changed it. */
  transformed: boolean;
  /** It compiles to an ES module (or was left alone). */
  esm: boolean;
  /** The files that replace tsc's output for it, and its worker module's (`worker`: the worker module's JavaScript). */
  outputs: ModuleOutput[];
}

/** Whether the build looks into `fileName` at all: a JavaScript or TypeScript module, not a declaration file. */
export function isSourceModule(fileName: string): boolean {
  return /\.[cm]?[jt]sx?$/.test(fileName) && !/\.d\.[^.]*ts$/.test(fileName);
}

/** Whether a module's text can use @suitkaise/core (modules that do not are tsc's alone). */
export function mentionsCore(text: string): boolean {
  return text.includes('@suitkaise/core');
}

/**
 * The module as the app imports it and, when it registers something, as a worker imports it
 * (keyed by the file name TypeScript compiles each under). No replacements when the transform
 * left the module as it is.
 */
export function transformModule(
  ts: TypeScript,
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

/** What the build does for `fileName` (whose text is `text`) in the project `parsed`: its {@link ModuleEntry}. */
export function moduleEntry(ts: TypeScript, transform: Transform, parsed: ts.ParsedCommandLine, root: string, fileName: string, text: string): ModuleEntry {
  const { diagnostics, replacements } = transformModule(ts, transform, parsed.options, root, fileName, text);
  if (replacements.length === 0) return { fileName, diagnostics, transformed: false, esm: true, outputs: [] };
  const withWorkers: ts.ParsedCommandLine = { ...parsed, fileNames: [...parsed.fileNames, ...replacements.filter(([, r]) => r.worker).map(([name]) => name)] };
  return { fileName, diagnostics, transformed: true, esm: emitsEsm(ts, fileName, parsed.options), outputs: compileReplacements(ts, withWorkers, replacements) };
}

/**
 * What replaces tsc's output for a transformed module (its JavaScript and map) and its worker
 * module, compiled file by file with the project's options (the transform keeps what isolated
 * compilation needs: the modules import what they use).
 */
function compileReplacements(ts: TypeScript, parsed: ts.ParsedCommandLine, replacements: ReadonlyArray<[string, Replacement]>): ModuleOutput[] {
  const compilerOptions: ts.CompilerOptions = { ...parsed.options };
  if (isNodeModuleKind(ts, moduleKindOf(ts, compilerOptions))) {
    // Every module here is an ES module (checked apart); file by file, TypeScript cannot look up package.json "type".
    compilerOptions.module = ts.ModuleKind.ESNext;
    compilerOptions.moduleResolution = ts.ModuleResolutionKind.Bundler;
  }
  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  const outputs: ModuleOutput[] = [];
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
