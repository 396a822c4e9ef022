/**
 * The worker bundle cache's index: for each module (by path, project root and Node major), the
 * bundle built for it last and every file that went into it (the module, what it bundles, the
 * worker runtime's sources, their package.json and tsconfig.json files, and the bundler's own
 * code) with size, modification time and content hash. A lookup only reads the manifest and
 * stats those files (hashing one only when its time changed), so a start whose worker was built
 * before loads neither esbuild nor the transform (nor ts-morph); any change to any input, or a
 * missing output, means a new build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomically } from './write.ts';

/** Bumped whenever what a bundle holds changes in a way its inputs do not show. */
const FORMAT = 1;

/** What a manifest is looked up by. */
export interface BundleKey {
  /** A worker bundle for a module's TypeScript source or its prebuilt worker module (`suitkaise build` output), or the worker runtime. */
  readonly kind: 'source' | 'prebuilt' | 'runtime';
  /** The module's file; for the runtime, the directory its packages resolve from. */
  readonly file: string;
  /** The project root registration ids are relative to; `''` when nothing is transformed (a prebuilt module, the runtime). */
  readonly root: string;
  readonly cacheDir: string;
}

/** A file and what it was: size, modification time, sha-1 of its content. */
type Input = [path: string, size: number, mtimeMs: number, sha1: string];

interface Manifest {
  format: number;
  /** The bundle, then the files it needs at run time (the worker runtime): each with its size. */
  outputs: Array<[path: string, size: number]>;
  inputs: Input[];
  /** Whatever else the builder needs to know of what it built. */
  data?: unknown;
}

/** A manifest found valid: its outputs, inputs and data. */
export interface Cached {
  readonly outputs: readonly string[];
  readonly inputs: readonly string[];
  readonly data: unknown;
}

let toolchain: { key: string; files: string[] } | undefined;

/**
 * The bundler itself: esbuild's version (read from its package.json, esbuild is not loaded) and
 * the transform package's code this runs from (its `src/` or `dist/`), or this file alone when
 * it was bundled into something else.
 */
function toolchainOf(): { key: string; files: string[] } {
  if (toolchain) return toolchain;
  let esbuildVersion = 'none';
  try {
    esbuildVersion = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // not installed: a cached bundle still runs; a build says what is missing
  }
  const self = fileURLToPath(import.meta.url);
  const ownDir = dirname(dirname(self));
  const files = /[\\/]node-worker[\\/]manifest\.[jt]s$/.test(self) && existsSync(join(ownDir, 'index.ts')) !== existsSync(join(ownDir, 'index.js'))
    ? filesUnder(ownDir)
    : [self];
  toolchain = { key: `${FORMAT} esbuild ${esbuildVersion} node ${process.versions.node.split('.')[0]}`, files };
  return toolchain;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function manifestPath(key: BundleKey): string {
  const name = createHash('sha256')
    .update(`${toolchainOf().key}\0${key.kind}\0${key.file}\0${key.root}`)
    .digest('hex')
    .slice(0, 24);
  return join(key.cacheDir, `manifest-${name}.json`);
}

function sha1(file: string): string {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

/** Whether `input` is still the file it was. */
function unchanged([path, size, mtimeMs, hash]: Input): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile() || stat.size !== size) return false;
  return stat.mtimeMs === mtimeMs || sha1(path) === hash;
}

/** What was built before for `key`, if every input is unchanged and every output is there; else `undefined`. */
export function cached(key: BundleKey): Cached | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(key), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  try {
    if (manifest.format !== FORMAT || manifest.outputs.length === 0) return undefined;
    for (const [path, size] of manifest.outputs) if (statSync(path, { throwIfNoEntry: false })?.size !== size) return undefined;
    if (!manifest.inputs.every(unchanged)) return undefined;
    return { outputs: manifest.outputs.map(([path]) => path), inputs: manifest.inputs.map(([path]) => path), data: manifest.data };
  } catch {
    return undefined;
  }
}

/**
 * Absolute paths of the files an esbuild metafile lists as inputs (resolved against the build's
 * working directory); virtual modules are left out, a plugin namespace prefix is dropped.
 */
export function metafileInputs(inputs: Record<string, unknown>, workingDir: string = process.cwd()): string[] {
  const files: string[] = [];
  for (const name of Object.keys(inputs)) {
    const namespaced = /^[\w-]+:(.+)$/.exec(name);
    const path = namespaced && isAbsolute(namespaced[1]!) ? namespaced[1]! : namespaced ? undefined : resolve(workingDir, name);
    if (path !== undefined && existsSync(path)) files.push(path);
  }
  return files;
}

/** For each input, the nearest package.json and the nearest tsconfig.json (esbuild's settings for TypeScript) from its directory up. */
function configFilesOf(files: readonly string[]): string[] {
  const found = new Set<string>();
  const nearest = new Map<string, { pkg?: string; tsconfig?: string }>();
  const lookUp = (dir: string): { pkg?: string; tsconfig?: string } => {
    let result = nearest.get(dir);
    if (result) return result;
    const pkg = join(dir, 'package.json');
    const tsconfig = join(dir, 'tsconfig.json');
    const parent = dirname(dir) === dir ? {} : lookUp(dirname(dir));
    result = { pkg: existsSync(pkg) ? pkg : parent.pkg, tsconfig: existsSync(tsconfig) ? tsconfig : parent.tsconfig };
    nearest.set(dir, result);
    return result;
  };
  for (const file of files) {
    const { pkg, tsconfig } = lookUp(dirname(file));
    if (pkg) found.add(pkg);
    if (tsconfig) found.add(tsconfig);
  }
  return [...found];
}

/** Record that `outputs` (the first is what was built) are for `key`, built from `inputs` (plus their config files and the bundler's own code). */
export function writeManifest(key: BundleKey, outputs: readonly string[], inputs: readonly string[], data?: unknown): void {
  try {
    const all = [...new Set([...inputs, ...configFilesOf(inputs), ...toolchainOf().files])].sort();
    const manifest: Manifest = {
      format: FORMAT,
      outputs: outputs.map((path) => [path, statSync(path).size]),
      inputs: all.map((path) => {
        const stat = statSync(path);
        return [path, stat.size, stat.mtimeMs, sha1(path)];
      }),
      ...(data === undefined ? {} : { data }),
    };
    mkdirSync(key.cacheDir, { recursive: true });
    writeAtomically(manifestPath(key), JSON.stringify(manifest));
  } catch {
    // a read-only or vanished cache: the next start builds again
  }
}
