/**
 * The worker runtime: suitkaise's own worker code (core, the Node worker entry and what they
 * bundle: comlink, reflect-metadata, msgpackr) as one CommonJS file that a worker evaluates
 * through `vm.Script` with a V8 code cache. Node 20 caches no compiled code for ES modules, and
 * compiling this code anew in every worker was most of what a worker took beyond an empty one.
 *
 * The worker bundle (bundle.ts) stays an ES module for the user's code and its imports; its
 * imports of the runtime's entry points read the runtime's exports instead of bundling a copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { RUNTIME_ENTRY_ID, RUNTIME_ID, RUNTIME_NAMES_PREFIX } from '../host/ids.ts';
import { metafileInputs } from './manifest.ts';
import { writeAtomically } from './write.ts';

type Esbuild = typeof import('esbuild');

/** The entry points the runtime holds; a worker module's imports of them share its one instance. */
export const RUNTIME_ENTRIES = ['@suitkaise/core', '@suitkaise/core/internal', '@suitkaise/core/worker', '@suitkaise/node/worker'] as const;

/** A built runtime. */
export interface WorkerRuntime {
  /** Its file, in the cache directory, named by its content. */
  readonly file: string;
  /** The names each of {@link RUNTIME_ENTRIES} exports. */
  readonly exports: ReadonlyMap<string, readonly string[]>;
  /** How the loader reads the file. */
  readonly encoding: 'latin1' | 'utf8';
  /** The files it was built from. */
  readonly inputs: readonly string[];
}

/**
 * The `Symbol.for` key under which the loader leaves its `import()` for core's driver loader
 * (reconnect/util.ts): a script compiled by `vm.Script` cannot call `import()` without a Node flag.
 */
const IMPORTER = 'suitkaise.import';

/**
 * Evaluates the runtime in the worker (plain JavaScript, inlined into each worker bundle): with
 * the code cache when there is one V8 accepts; otherwise the worker writes one, just before it
 * first answers (so it holds what running a process compiled), for the workers after it.
 */
const LOADER = `
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';
let save = null;
export function loadRuntime(file, encoding) {
  // A pool worker imports other modules' bundles: they share the runtime (one core, one registry) loaded first.
  const loaded = globalThis[Symbol.for('suitkaise.runtime')];
  if (loaded) return loaded;
  globalThis[Symbol.for(${JSON.stringify(IMPORTER)})] = (specifier) => import(specifier);
  const cacheFile = file + '.' + process.versions.v8 + '.cache';
  let cachedData;
  try { cachedData = readFileSync(cacheFile); } catch {}
  const script = new Script(readFileSync(file, encoding), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(undefined, module.exports, createRequire(file), module, file, dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) save = () => writeCache(cacheFile, script);
  globalThis[Symbol.for('suitkaise.runtime')] = module.exports.modules;
  return module.exports.modules;
}
/** Once the worker has run a process: what V8 compiled by then (so the next worker need not) goes into the cache. */
export function saveRuntimeCache() {
  const pending = save;
  save = null;
  pending?.();
}
function writeCache(cacheFile, script) {
  try {
    const temporary = cacheFile + '.' + process.pid + '.' + threadId + '.tmp';
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {} // a read-only cache directory: every worker compiles, as without a cache
}
`;

const builtins = new Set(builtinModules);
const isBuiltin = (path: string) => path.startsWith('node:') || builtins.has(path.split('/')[0]!);

/**
 * Builds the runtime for modules resolving from `resolveDir` (the same @suitkaise packages
 * their imports find), or `null` when it cannot hold them as a script: an import that is
 * neither bundled nor a Node builtin would need an ES module loader.
 */
export async function buildRuntime(esbuild: Esbuild, options: BuildOptions, resolveDir: string, cacheDir: string): Promise<WorkerRuntime | null> {
  const entry = [
    ...RUNTIME_ENTRIES.map((specifier, i) => `import * as m${i} from ${JSON.stringify(specifier)};`),
    `export const modules = { ${RUNTIME_ENTRIES.map((specifier, i) => `${JSON.stringify(specifier)}: m${i}`).join(', ')} };`,
  ].join('\n');
  const virtual: Plugin = {
    name: 'suitkaise:runtime-entries',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^sk-runtime-(?:entry|names:\d+)$/ }, (args) => ({ path: args.path, namespace: 'suitkaise-runtime' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'suitkaise-runtime' }, (args) => ({
        contents: args.path === RUNTIME_ENTRY_ID ? entry : `export * from ${JSON.stringify(RUNTIME_ENTRIES[Number(args.path.slice(RUNTIME_NAMES_PREFIX.length))])};`,
        resolveDir,
        loader: 'js',
      }));
    },
  };
  const common = { ...options, outdir: cacheDir, write: false, metafile: true, banner: undefined, plugins: [virtual, ...(options.plugins ?? [])] } satisfies BuildOptions;
  const [built, listed] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [{ in: RUNTIME_ENTRY_ID, out: 'runtime' }],
      format: 'cjs',
      sourcemap: 'external',
      // Comments out: what is left is ASCII, which the loader reads fastest.
      minifyWhitespace: true,
    }),
    // Only for the metafile, which lists each entry point's export names (for a CommonJS output it lists none).
    esbuild.build({ ...common, entryPoints: RUNTIME_ENTRIES.map((_, i) => ({ in: `${RUNTIME_NAMES_PREFIX}${i}`, out: `names-${i}` })), format: 'esm', splitting: true }),
  ]);
  const runtimeOutput = Object.values(built.metafile.outputs).find((output) => output.entryPoint !== undefined);
  if (!runtimeOutput || runtimeOutput.imports.some((item) => item.external && (item.kind === 'dynamic-import' || !isBuiltin(item.path)))) return null;
  const exports = new Map<string, readonly string[]>();
  for (const [path, output] of Object.entries(listed.metafile.outputs)) {
    const index = /names-(\d+)\.js$/.exec(path)?.[1];
    if (index !== undefined) exports.set(RUNTIME_ENTRIES[Number(index)]!, output.exports);
  }
  if (exports.size !== RUNTIME_ENTRIES.length) return null;

  const code = built.outputFiles.find((output) => output.path.endsWith('.js'))!.text;
  const map = built.outputFiles.find((output) => output.path.endsWith('.map'))!.text;
  // Wrapped as the function the loader calls; strict, as the ES modules it was built from.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {"use strict";${code}\n})`;
  const name = `runtime-${createHash('sha256').update(wrapped).digest('hex').slice(0, 24)}.js`;
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    writeAtomically(`${file}.map`, map);
    writeAtomically(file, `${wrapped}\n//# sourceMappingURL=${name}.map\n`);
  }
  return { file, exports, encoding: /[^\x00-\x7f]/.test(wrapped) ? 'utf8' : 'latin1', inputs: metafileInputs(built.metafile.inputs) };
}

/**
 * For the worker bundle's build: `sk-runtime` loads `runtime`, and imports of its entry points
 * become its exports (a worker module and the runtime share one core).
 */
export function runtimePlugin(pending: Promise<WorkerRuntime | null>): Plugin {
  const entries = new Set<string>(RUNTIME_ENTRIES);
  return {
    name: 'suitkaise:runtime',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^(?:sk-runtime|@suitkaise\/(?:core|node)(?:\/.*)?)$/ }, (args) =>
        args.path === RUNTIME_ID || entries.has(args.path) ? { path: args.path, namespace: 'suitkaise-runtime' } : undefined);
      pluginBuild.onLoad({ filter: /.*/, namespace: 'suitkaise-runtime' }, async (args) => {
        const runtime = await pending;
        if (!runtime) throw new Error('the worker runtime could not be built');
        if (args.path === RUNTIME_ID) return { contents: `${LOADER}\nexport const runtime = loadRuntime(${JSON.stringify(runtime.file)}, ${JSON.stringify(runtime.encoding)});\n`, loader: 'js' };
        // Listed by `export *`, so never `default` (none of the entry points has one).
        const names = runtime.exports.get(args.path)!;
        const contents = `import { runtime } from ${JSON.stringify(RUNTIME_ID)};\nexport const { ${names.join(', ')} } = runtime[${JSON.stringify(args.path)}];\n`;
        return { contents, loader: 'js' };
      });
    },
  };
}
