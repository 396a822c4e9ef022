/**
 * Builds the worker entry for a registered module: the module pruned for
 * workers (transform target 'worker-module'), plus `serve()`, bundled with
 * esbuild into one ESM file under the project's node_modules/.cache so that
 * its external packages resolve as they do for the app.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import type { Registration } from '@suitkaise/core/internal';

const bundles = new Map<string, Promise<string>>();

/** Bare imports bundled into the worker file; every other package is imported at run time, as the app imports it. */
const BUNDLED = /^(?:@suitkaise\/(?:core|node)(?:\/.*)?|comlink(?:\/.*)?|reflect-metadata|msgpackr\/pack)$/;

/** The project root the registration id is relative to: the module's path minus the id's path part. */
function rootOf(registration: Registration, file: string): string {
  const relative = registration.id.slice(0, registration.id.lastIndexOf('#'));
  const normalized = file.split('\\').join('/');
  if (!relative || !normalized.endsWith(relative)) return dirname(file);
  return file.slice(0, file.length - relative.length).replace(/[\\/]$/, '') || '/';
}

/** The nearest directory from the file's up that holds a package.json: where its imports resolve from. */
function packageDirOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

/**
 * `sk-worker-module:<file>` for a prebuilt worker module: the file as it is. Its registrations
 * are its side effects: keep it even in a package marked `"sideEffects": false`.
 */
const prebuiltWorkerModule: Plugin = {
  name: 'suitkaise:prebuilt-worker-module',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^sk-worker-module:/ }, (args) => ({ path: args.path.slice('sk-worker-module:'.length), sideEffects: true }));
  },
};

async function build(registration: Registration): Promise<string> {
  // `suitkaise build` output names its worker module: JavaScript already transformed and pruned,
  // so it is bundled as is (no transform, no TypeScript toolchain at run time). Its id holds the
  // SOURCE path, which the emitted file's path does not end with: the id-derived root applies
  // only to source modules; a prebuilt one resolves from its package directory.
  const prebuilt = registration.workerModuleUrl;
  const url = prebuilt ?? registration.moduleUrl;
  if (!url?.startsWith('file:')) {
    throw new Error(`${registration.id} has no file module URL (got ${url ?? 'none'}); build it with the suitkaise transform`);
  }
  const file = fileURLToPath(url);
  const root = prebuilt ? packageDirOf(file) : rootOf(registration, file);
  const [esbuild, workerModulePlugin] = await Promise.all([
    import('esbuild'),
    prebuilt ? prebuiltWorkerModule : import('@suitkaise/transform/esbuild').then(({ suitkaiseEsbuild }) => suitkaiseEsbuild({ root })),
  ]);
  const cacheDir = join(root, 'node_modules', '.cache', 'suitkaise');
  const built = await esbuild.build({
    stdin: {
      contents: `import ${JSON.stringify(`sk-worker-module:${file}`)};\nimport { serve } from "@suitkaise/node/worker";\nserve();\n`,
      resolveDir: dirname(file),
      sourcefile: `${file}?sk-worker`,
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    outdir: cacheDir,
    // A separate map: an inline one doubles what every new worker reads and compiles.
    sourcemap: 'external',
    // `suitkaise-worker` keeps the parent's spawning machinery (and what it imports) out of the bundle.
    conditions: ['suitkaise-worker', '@suitkaise/source'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    // Bundled CommonJS may call require(); give it one.
    banner: { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" },
    plugins: [
      {
        name: 'suitkaise:externals',
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^[^./#]/ }, (args) =>
            args.path.startsWith('sk-worker-module:') || BUNDLED.test(args.path) ? undefined : { path: args.path, external: true },
          );
        },
      },
      workerModulePlugin,
    ],
  });
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
  return outfile;
}

/** Write through a temporary file, so a concurrent reader never sees half a file. */
function writeAtomically(file: string, contents: string): void {
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** The path of a runnable worker file for `registration`'s module, built once per module per thread. */
export function workerBundleFor(registration: Registration): Promise<string> {
  const key = registration.workerModuleUrl ?? registration.moduleUrl ?? registration.id;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = build(registration);
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}
