/**
 * What `--watch` watches after a build (the tsconfigs it read, the directories the project's
 * files come from) and which changes there start a build: not the build's own outputs, not
 * node_modules, only files a project is made of.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ts } from 'ts-morph';
import type { TypeScript } from './typescript.ts';

/** What a watcher watches: the files and directories a build read from. */
export interface WatchTargets {
  /** The tsconfig and the files it extends. */
  configs: string[];
  /** Directories the project's files come from, with whether their subdirectories count too. */
  directories: Map<string, boolean>;
  /** Every file the build writes, or tsc could (never a reason to build again). */
  outputs: Set<string>;
}

/** What to watch after a build of `parsed` (read from `configPath`): the configs, the source directories, and which files are outputs. */
export function watchTargets(ts: TypeScript, parsed: ts.ParsedCommandLine, configPath: string): WatchTargets {
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
export function directoriesUnder(dir: string): string[] {
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

/** The files a project is made of: its modules (any of TypeScript's and JavaScript's extensions) and JSON. */
const WATCHED = /\.(?:[cm]?tsx?|[cm]?jsx?|json)$/;

/**
 * Whether a change at `path` (`undefined`: the watcher could not say which file) starts a build.
 * A config always does; the build's own outputs, files under node_modules and files of other
 * kinds never do; anything else (an unnamed change included) does.
 */
export function startsBuild(path: string | undefined, configs: ReadonlySet<string>, outputs: ReadonlySet<string>): boolean {
  if (path === undefined || configs.has(path)) return true;
  return !(outputs.has(path) || !WATCHED.test(path) || /[\\/]node_modules[\\/]/.test(path));
}
