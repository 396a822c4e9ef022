/**
 * The build cache: each module's {@link ModuleEntry}, in `node_modules/.cache/suitkaise/build`,
 * under a key of everything the entry depends on (the module's text and path, the tsconfig and
 * its options, the package.json that decides the module's format, ts-morph's version and this
 * package's code). A build whose modules are all cached loads no TypeScript.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDirOf, onDisk } from '../host/root.mjs';
import type { ModuleEntry } from './modules.ts';

/** Bumped whenever what an entry holds changes in a way its key does not show. */
const BUILD_CACHE_FORMAT = 1;

/** The cache of one build: the project of `configPath` with the compiler options `optionsKey`. */
export interface BuildCache {
  /** The key of `fileName`'s entry while its text is `text`. */
  keyOf(fileName: string, text: string): string;
  /** The entry under `key`; `undefined` when there is none (or no cache, or it cannot be read). */
  read(key: string): ModuleEntry | undefined;
  /** Keep `entry` under `key`; a cache that cannot be written is no error. */
  write(key: string, entry: ModuleEntry): void;
}

/** The build cache of the project at `root` (whose tsconfig is `configPath`, its options `optionsKey`). */
export function buildCache(root: string, configPath: string, optionsKey: string): BuildCache {
  const dir = cacheDirOf(root, 'build', onDisk().hasNodeModules);
  const packageJsons = new Map<string, string>();
  return {
    keyOf: (fileName, text) =>
      createHash('sha256')
        .update(`${BUILD_CACHE_FORMAT}\0${buildFingerprint()}\0${configPath}\0${optionsKey}\0${fileName}\0${packageJsonOf(dirname(fileName), packageJsons)}\0`)
        .update(text)
        .digest('hex'),
    read: (key) => (dir === undefined ? undefined : readEntry(join(dir, `${key}.json`))),
    write: (key, entry) => {
      if (dir !== undefined) writeEntry(dir, join(dir, `${key}.json`), entry);
    },
  };
}

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
  for (const file of codeFiles()) {
    const stat = statSync(file);
    hash.update(`\0${file}\0${stat.size}\0${stat.mtimeMs}`);
  }
  fingerprint = hash.digest('hex');
  return fingerprint;
}

/** The files of this package's src/ (or dist/) this runs from, sorted; this file alone when it was bundled elsewhere. */
function codeFiles(): string[] {
  const self = fileURLToPath(import.meta.url);
  const dir = dirname(dirname(self));
  const inPackage = /[\\/]cli[\\/]cache\.[jt]s$/.test(self) && (existsSync(join(dir, 'index.ts')) || existsSync(join(dir, 'index.js')));
  if (!inPackage) return [self];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
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
