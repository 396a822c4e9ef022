/**
 * One build of a project (the CLI's entry describes what it does): the project's own tsc
 * type-checks and emits it while each module that uses @suitkaise/core is taken from the build
 * cache or transformed; once tsc is done, those modules' outputs are overwritten with the
 * transformed ones. A project without a tsc of its own goes to {@link compileWithoutTsc}.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ts } from 'ts-morph';
import { errorsAndWarnings } from '../host/diagnostics.ts';
import type { Diagnostic } from '../index.ts';
import { buildCache } from './cache.ts';
import { isSourceModule, mentionsCore, moduleEntry, type ModuleEntry } from './modules.ts';
import { emptyResult, finishBuild, writeOutput, type BuildOptions, type BuildResult, type Compiled } from './result.ts';
import { projectTsc, runTsc, showConfig, type ShownConfig } from './tsc.ts';
import { esmRequired, loadTypeScript, parseConfig } from './typescript.ts';
import { watchTargets, type WatchTargets } from './watch-targets.ts';
import { compileWithoutTsc } from './without-tsc.ts';

/** The tsconfig `tsconfig` names, relative to `cwd`: the file itself, or tsconfig.json in the directory it names. */
export function resolveConfigPath(cwd: string, tsconfig: string): string {
  const path = resolve(cwd, tsconfig);
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'tsconfig.json') : path;
}

/**
 * Compile the project of `tsconfig` (a file or a directory holding tsconfig.json, relative to
 * `cwd`), as the CLI's entry describes. Never throws for problems in the project.
 */
export async function build(tsconfig: string, cwd: string = process.cwd(), options: BuildOptions = {}): Promise<BuildResult> {
  return (await compile(tsconfig, cwd, options)).result;
}

/**
 * {@link build}, with what to watch for the next build: always without a tsc of the project's
 * own, else only `forWatch` (which costs parsing the tsconfig with TypeScript).
 */
export async function compile(tsconfig: string, cwd: string, options: BuildOptions, forWatch = false): Promise<Compiled> {
  const configPath = resolveConfigPath(cwd, tsconfig);
  const tsc = projectTsc(dirname(configPath));
  if (tsc === undefined) return compileWithoutTsc(configPath, cwd);
  return compileWithTsc(tsc, configPath, cwd, options, forWatch);
}

async function compileWithTsc(tsc: string, configPath: string, cwd: string, options: BuildOptions, forWatch: boolean): Promise<Compiled> {
  // The type-check and the plain emit start first: they take longest. The project's files and
  // options come from the same tsc (--showConfig), so that a build whose modules are all in the
  // cache loads no TypeScript here.
  const checked = runTsc(tsc, configPath, cwd, options.pretty ?? false);
  const shown = await showConfig(tsc, configPath, cwd);
  const result = emptyResult(tsc);
  const config = lazyConfig(configPath, cwd);
  let project = shown;
  if (project === undefined || forWatch) {
    const parsed = await config.parse();
    if (Array.isArray(parsed)) {
      await checked; // it reports the same problem; its output is not needed
      return { result: { ...result, errors: parsed } };
    }
    project ??= shownConfigOf(parsed);
  }
  const found = await moduleEntries(project, configPath, config);
  if ('configErrors' in found) {
    await checked;
    return { result: { ...result, errors: found.configErrors } };
  }
  const { entries } = found;
  const errors = collectEntries(entries, result);
  const typeCheck = await checked;
  result.typeErrors = typeCheck.errors;
  result.typeErrorText = typeCheck.text;
  result.written.push(...typeCheck.emitted);
  result.errors = errors;
  const skip = project.noEmit || project.emitDeclarationOnly || (project.noEmitOnError && (errors.length > 0 || typeCheck.errors > 0));
  if (!skip) writeOutputs(entries, result);
  await finishBuild(result);
  const parsed = config.parsed();
  return { result, targets: forWatch && parsed ? await targetsOf(parsed, configPath, entries) : undefined };
}

/** The project's tsconfig as ts-morph's TypeScript parses it, parsed at most once, and only when asked for. */
interface LazyConfig {
  /** The parsed project, or why it could not be parsed (asked again, it tries again). */
  parse(): Promise<ts.ParsedCommandLine | ts.Diagnostic[]>;
  /** The parsed project if {@link parse} has succeeded. */
  parsed(): ts.ParsedCommandLine | undefined;
}

function lazyConfig(configPath: string, cwd: string): LazyConfig {
  let parsed: ts.ParsedCommandLine | undefined;
  return {
    async parse() {
      if (parsed) return parsed;
      const config = parseConfig(await loadTypeScript(), configPath, cwd);
      if (!Array.isArray(config)) parsed = config;
      return config;
    },
    parsed: () => parsed,
  };
}

/** What the build needs of a project TypeScript parsed, as `--showConfig` would have said it. */
function shownConfigOf(config: ts.ParsedCommandLine): ShownConfig {
  return {
    files: config.fileNames,
    optionsKey: JSON.stringify(config.options),
    noEmit: Boolean(config.options.noEmit),
    emitDeclarationOnly: Boolean(config.options.emitDeclarationOnly),
    noEmitOnError: Boolean(config.options.noEmitOnError),
  };
}

/**
 * Each module of `project` that uses @suitkaise/core: from the build cache when it is unchanged,
 * else transformed now (which parses the tsconfig: its errors, when it cannot be parsed).
 */
async function moduleEntries(project: ShownConfig, configPath: string, config: LazyConfig): Promise<{ entries: ModuleEntry[] } | { configErrors: ts.Diagnostic[] }> {
  const root = dirname(configPath);
  const cache = buildCache(root, configPath, project.optionsKey);
  const entries: ModuleEntry[] = [];
  const misses: Array<{ fileName: string; text: string; key: string }> = [];
  for (const fileName of project.files) {
    if (!isSourceModule(fileName)) continue;
    let text: string;
    try {
      text = readFileSync(fileName, 'utf8');
    } catch {
      continue; // gone since the config was read: tsc reports it
    }
    if (!mentionsCore(text)) continue;
    const key = cache.keyOf(fileName, text);
    const cached = cache.read(key);
    if (cached) entries.push(cached);
    else misses.push({ fileName, text, key });
  }
  if (misses.length === 0) return { entries };
  const parsed = await config.parse();
  if (Array.isArray(parsed)) return { configErrors: parsed };
  const ts = await loadTypeScript();
  const { transform } = await import('../index.ts');
  for (const { fileName, text, key } of misses) {
    const entry = moduleEntry(ts, transform, parsed, root, fileName, text);
    entries.push(entry);
    cache.write(key, entry);
  }
  return { entries };
}

/** The entries' transform warnings and transformed modules into `result`; their errors, returned. */
function collectEntries(entries: readonly ModuleEntry[], result: BuildResult): Array<ts.Diagnostic | Diagnostic> {
  const errors: Array<ts.Diagnostic | Diagnostic> = [];
  for (const entry of entries) {
    const found = errorsAndWarnings(entry.diagnostics);
    errors.push(...found.errors);
    result.warnings.push(...found.warnings);
    if (entry.transformed) result.transformed.push(entry.fileName);
    // Registrations read `import.meta.url`: the transformed modules must compile to ES modules.
    if (!entry.esm) errors.push(esmRequired(entry.fileName));
  }
  return errors;
}

/** Overwrite tsc's output for each transformed module, and write the worker modules beside it. */
function writeOutputs(entries: readonly ModuleEntry[], result: BuildResult): void {
  for (const output of entries.flatMap((entry) => entry.outputs)) {
    writeOutput(output.path, output.text, result);
    if (output.worker) result.workerModules.push(output.path);
  }
}

/** What to watch after a build of `parsed`; the transformed outputs count as outputs too (the worker modules are not tsc's). */
async function targetsOf(parsed: ts.ParsedCommandLine, configPath: string, entries: readonly ModuleEntry[]): Promise<WatchTargets> {
  const targets = watchTargets(await loadTypeScript(), parsed, configPath);
  for (const output of entries.flatMap((entry) => entry.outputs)) targets.outputs.add(output.path);
  return targets;
}
