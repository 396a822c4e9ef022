/**
 * Builds the worker entry for a registered module: the module pruned for
 * workers (transform target 'worker-module'), plus `serve()`, bundled with
 * esbuild into one ESM file under the module's nearest node_modules/.cache
 * (root.mjs `cacheDirOf`), so that its external packages resolve as they do
 * for the module itself. The entry's text is host/entry.ts's. Core and the rest of
 * suitkaise's worker code are not in it: the entry loads them from the worker
 * runtime (runtime.ts), whose compiled code V8 caches across workers.
 *
 * Bundle and runtime are recorded in manifests (manifest.ts) with every file they were built
 * from: a later start (or `suitkaise build`, which bundles its worker modules ahead) finds them
 * without importing esbuild or the transform, so ts-morph and esbuild load only when a bundle
 * must really be built, and never for a prebuilt module that was bundled before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

/** What the bundler reads of a registration (`@suitkaise/core`'s `Registration` has these fields). */
export interface WorkerRegistration {
  /** Stable id: the module path relative to the project root, `#`, the export name. */
  readonly id: string;
  /** `import.meta.url` of the defining module. */
  readonly moduleUrl?: string;
  /** URL of the module's prebuilt worker module (`suitkaise build` output), bundled instead of `moduleUrl`. */
  readonly workerModuleUrl?: string;
}
import { nodeWorkerEntry } from '../host/entry.ts';
import { fileOfWorkerModuleSpecifier, isBundlerVirtual, WORKER_ENTRY_QUERY, WORKER_MODULE_FILTER } from '../host/ids.ts';
import { cacheDirOf, onDisk, rootOfId } from '../host/root.mjs';
import { buildRuntime, runtimePlugin, type WorkerRuntime } from './runtime.ts';
import { cached, metafileInputs, writeManifest, type BundleKey } from './manifest.ts';
import { writeAtomically } from './write.ts';

const bundles = new Map<string, Promise<string>>();
const runtimes = new Map<string, Promise<WorkerRuntime | null>>();

/**
 * The worker runtime for modules resolving from `resolveDir`, built once per directory per thread;
 * `null` (the worker bundle then holds its own copy of core, compiled in every worker) when it
 * cannot be built.
 */
function runtimeFor(esbuild: typeof import('esbuild'), options: BuildOptions, resolveDir: string, cacheDir: string): Promise<WorkerRuntime | null> {
  const key = `${resolveDir}\0${cacheDir}`;
  let runtime = runtimes.get(key);
  if (!runtime) {
    // Built before from files that have not changed since (another start, another module): as it was.
    const manifestKey: BundleKey = { kind: 'runtime', file: resolveDir, root: '', cacheDir };
    const found = cached(manifestKey);
    const data = found?.data as { exports: Array<[string, string[]]>; encoding: WorkerRuntime['encoding'] } | undefined;
    runtime = data
      ? Promise.resolve({ file: found!.outputs[0]!, exports: new Map(data.exports), encoding: data.encoding, inputs: found!.inputs })
      : buildRuntime(esbuild, options, resolveDir, cacheDir).then((built) => {
          if (built) writeManifest(manifestKey, [built.file], built.inputs, { exports: [...built.exports].map(([entry, names]) => [entry, [...names]]), encoding: built.encoding });
          return built;
        }).catch(() => null);
    runtimes.set(key, runtime);
  }
  return runtime;
}

/** Bare imports bundled into the worker file; every other package is imported at run time, as the app imports it. */
const BUNDLED = /^(?:@suitkaise\/(?:core|node)(?:\/.*)?|comlink(?:\/.*)?|reflect-metadata(?:\/no-conflict)?|msgpackr\/pack)$/;

const disk = onDisk();

/**
 * `sk-worker-module:<file>` for a prebuilt worker module: the file as it is. Its registrations
 * are its side effects: keep it even in a package marked `"sideEffects": false`.
 */
const prebuiltWorkerModule: Plugin = {
  name: 'suitkaise:prebuilt-worker-module',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: WORKER_MODULE_FILTER }, (args) => ({ path: fileOfWorkerModuleSpecifier(args.path), sideEffects: true }));
  },
};

/** Where `registration`'s worker bundle comes from, and where it is cached. */
function bundleKeyOf(registration: WorkerRegistration): BundleKey {
  // `suitkaise build` output names its worker module: JavaScript already transformed and pruned,
  // so it is bundled as is (no transform, no TypeScript toolchain at run time, no root). Its id
  // holds the SOURCE path, which the emitted file's path does not end with.
  const prebuilt = registration.workerModuleUrl;
  const url = prebuilt ?? registration.moduleUrl;
  if (!url?.startsWith('file:')) {
    throw new Error(`${registration.id} has no file module URL (got ${url ?? 'none'}); build it with the suitkaise transform`);
  }
  const file = fileURLToPath(url);
  const root = prebuilt ? '' : rootOfId(registration.id, file);
  // Where the bundle's imports of other packages resolve as the module's own do. Without any
  // node_modules (no package to resolve), under the root; for a prebuilt module, its directory.
  const cacheDir = cacheDirOf(dirname(file), '', disk.hasNodeModules) ?? join(root || dirname(file), 'node_modules', '.cache', 'suitkaise');
  return { kind: prebuilt ? 'prebuilt' : 'source', file, root, cacheDir };
}

/** Builds the bundle (esbuild; the transform too for a TypeScript source module) and records its manifest. */
async function build(key: BundleKey): Promise<string> {
  const { file, root, cacheDir } = key;
  const prebuilt = key.kind === 'prebuilt';
  const [esbuild, workerModulePlugin] = await Promise.all([
    import('esbuild'),
    prebuilt ? prebuiltWorkerModule : import('../esbuild.ts').then(({ suitkaiseEsbuild }) => suitkaiseEsbuild({ root })),
  ]);
  const resolveDir = dirname(file);
  const resolving = Symbol('resolving');
  const externals: Plugin = {
    name: 'suitkaise:externals',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./#]/ }, async (args) => {
        if (isBundlerVirtual(args.path) || BUNDLED.test(args.path) || args.pluginData === resolving) return undefined;
        // A workspace package whose entry is TypeScript (the source condition): the worker runs
        // without the module hook, so Node could not load it there; it is bundled instead.
        const found = await pluginBuild.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: resolving });
        const typescript = found.errors.length === 0 && !found.external && /\.(?:m?ts|tsx)$/.test(found.path) && !/[\\/]node_modules[\\/]/.test(found.path);
        return typescript ? undefined : { path: args.path, external: true };
      });
    },
  };
  const common = {
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    // `suitkaise-worker` keeps the parent's spawning machinery (and what it imports) out of the bundle.
    conditions: ['suitkaise-worker', '@suitkaise/source'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    plugins: [externals],
  } satisfies BuildOptions;
  // The runtime builds while the module does; without one (rare), the module is bundled again, core included.
  const runtime = runtimeFor(esbuild, common, resolveDir, cacheDir);
  const bundleModule = (withRuntime: boolean) => esbuild.build({
    ...common,
    stdin: {
      contents: nodeWorkerEntry(file, { runtime: withRuntime }),
      resolveDir,
      sourcefile: `${file}?${WORKER_ENTRY_QUERY}`,
      loader: 'js',
    },
    format: 'esm',
    write: false,
    outdir: cacheDir,
    metafile: true,
    // A separate map: an inline one doubles what every new worker reads and compiles.
    sourcemap: 'external',
    // Bundled CommonJS may call require(); give it one.
    banner: { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" },
    plugins: [...(withRuntime ? [runtimePlugin(runtime)] : []), externals, workerModulePlugin],
  });
  let built: Awaited<ReturnType<typeof bundleModule>>;
  try {
    built = await bundleModule(true);
  } catch (error) {
    if (await runtime) throw error;
    built = await bundleModule(false);
  }
  const code = built.outputFiles.find((output) => output.path.endsWith('.js'))!.text;
  const map = built.outputFiles.find((output) => output.path.endsWith('.map'))!.text;
  // Named by content: processes building the same worker share one file, and a changed module gets a new one.
  mkdirSync(cacheDir, { recursive: true });
  const name = createHash('sha256').update(code).digest('hex').slice(0, 24);
  const outfile = join(cacheDir, `${name}.mjs`);
  if (!existsSync(outfile)) {
    writeAtomically(`${outfile}.map`, map);
    writeAtomically(outfile, `${code}\n//# sourceMappingURL=${name}.mjs.map\n`);
  }
  const usedRuntime = await runtime;
  const runtimeFiles = usedRuntime && code.includes(JSON.stringify(usedRuntime.file)) ? [usedRuntime.file] : [];
  const inputs = [...metafileInputs(built.metafile.inputs), ...(runtimeFiles.length > 0 ? usedRuntime!.inputs : [])];
  writeManifest(key, [outfile, ...runtimeFiles], inputs);
  return outfile;
}

/**
 * {@link workerBundleFor} without its per-thread memo: looked up (and built when it must be) now.
 * For `suitkaise build --watch`, which prepares the bundles of the worker modules it rewrites.
 */
export function prepareWorkerBundle(registration: WorkerRegistration): Promise<string> {
  return new Promise<BundleKey>((resolve) => resolve(bundleKeyOf(registration))).then((found) => cached(found)?.outputs[0] ?? build(found));
}

/**
 * The path of a runnable worker file for `registration`'s module: the one built before when
 * nothing that went into it has changed since (found without loading esbuild or the transform),
 * else built now. Looked up once per module per thread.
 */
export function workerBundleFor(registration: WorkerRegistration): Promise<string> {
  const key = registration.workerModuleUrl ?? registration.moduleUrl ?? registration.id;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = prepareWorkerBundle(registration);
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}
