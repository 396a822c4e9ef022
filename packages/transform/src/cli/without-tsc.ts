/**
 * The build of a project without a tsc of its own (typescript is not installed for it): one
 * program of ts-morph's TypeScript emits it all, the transformed modules and the worker modules
 * in place of what is on disk, and nothing is type-checked (the report says so).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { ts } from 'ts-morph';
import { errorsAndWarnings } from '../host/diagnostics.ts';
import { composeEmitted } from '../host/source-map.ts';
import type { Diagnostic } from '../index.ts';
import { isSourceModule, mentionsCore, transformModule, type Replacement } from './modules.ts';
import { emptyResult, finishBuild, type BuildResult, type Compiled } from './result.ts';
import { emitsEsm, esmRequired, loadTypeScript, parseConfig, type TypeScript } from './typescript.ts';
import { watchTargets } from './watch-targets.ts';

/** The build of the project of `configPath` (paths relative to `cwd`) with ts-morph's TypeScript: emitted, unchecked. */
export async function compileWithoutTsc(configPath: string, cwd: string): Promise<Compiled> {
  const result = emptyResult(undefined);
  const ts = await loadTypeScript();
  const parsed = parseConfig(ts, configPath, cwd);
  if (Array.isArray(parsed)) return { result: { ...result, errors: parsed } };
  const compilerOptions = parsed.options;
  const root = dirname(configPath);
  const errors: Array<ts.Diagnostic | Diagnostic> = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error);
  const { transform } = await import('../index.ts');
  const replacements = new Map<string, Replacement>();
  for (const fileName of parsed.fileNames) {
    if (!isSourceModule(fileName)) continue;
    const text = readFileSync(fileName, 'utf8');
    if (!mentionsCore(text)) continue;
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
  await finishBuild(result);
  return { result, targets: watchTargets(ts, { ...parsed, fileNames: [...parsed.fileNames, ...workerFiles] }, configPath) };
}

/**
 * The emit of a project without a tsc of its own: one program of ts-morph's TypeScript over the
 * transformed modules and the worker modules, not type-checked. What it writes goes into
 * `result`; its errors (none for the worker modules, which exist only in memory) into `errors`.
 */
function emitWithProgram(
  ts: TypeScript,
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
 * ts-morph's TypeScript is bundled into one file, without the `lib.*.d.ts` files next to it that
 * its default host looks for; ts-morph serves them from memory (@ts-morph/common, its own
 * dependency, resolved from ts-morph's location so that any install layout works). Do the same.
 */
function withTypeScriptLibs(ts: TypeScript, host: ts.CompilerHost): ts.CompilerHost {
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
