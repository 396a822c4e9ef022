// `npm run bench`: compiles bench/index.ts with esbuild and the suitkaise transform, then runs it.
// (Once `node --import @suitkaise/node/register` exists, `node --import @suitkaise/node/register
// bench/index.ts` runs the same benchmark without this step.)
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const cacheDir = join(root, 'node_modules', '.cache', 'suitkaise');
const target = `node${process.versions.node.split('.')[0]}`;
// Bundled CommonJS may call require(); give it one (as packages/node/src/bundle.ts does).
const banner = { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" };

/** Write `code` to `file` atomically (two runs at once must not read a half-written file). */
function write(file, code) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, file);
  return file;
}

/** Bare imports kept in the bundle; every other package is imported at run time from node_modules. */
const BUNDLED = /^(?:@suitkaise\/.*|comlink(?:\/.*)?|reflect-metadata(?:\/.*)?)$/;
const externals = {
  name: 'bench:externals',
  setup(build) {
    build.onResolve({ filter: /^[^./#]/ }, (args) => (BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }));
  },
};

/**
 * The transform registers classes with `moduleUrl: import.meta.url`, from which the Node adapter
 * builds their worker. Bundled, `import.meta.url` would be the bundle's; give the bench's own
 * modules their source file's URL, as running them unbundled would.
 */
function withSourceUrls(plugin) {
  return {
    name: `${plugin.name}+source-urls`,
    setup(build) {
      const proxy = new Proxy(build, {
        get(object, key) {
          if (key === 'onLoad') {
            return (options, callback) =>
              object.onLoad(options, async (args) => {
                const result = await callback(args);
                if (result && typeof result.contents === 'string' && args.namespace === 'file' && args.path.startsWith(benchDir + sep)) {
                  result.contents = result.contents.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
                }
                return result;
              });
          }
          const value = Reflect.get(object, key);
          return typeof value === 'function' ? value.bind(object) : value;
        },
      });
      return plugin.setup(proxy);
    },
  };
}

async function bundle(options, outfile) {
  const built = await esbuild.build({
    bundle: true,
    format: 'esm',
    platform: 'node',
    target,
    write: false,
    outfile,
    conditions: ['@suitkaise/source'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    banner,
    ...options,
  });
  return write(outfile, built.outputFiles[0].contents);
}

const compileStart = performance.now();
mkdirSync(cacheDir, { recursive: true });

// 1. The esbuild plugin is TypeScript too: bundle it first.
const pluginFile = await bundle(
  {
    entryPoints: [join(root, 'packages', 'transform', 'src', 'esbuild.ts')],
    external: ['esbuild', 'ts-morph', 'magic-string'],
  },
  join(cacheDir, 'bench-transform-esbuild.mjs'),
);
const { suitkaiseEsbuild } = await import(pathToFileURL(pluginFile).href);

// 2. The benchmark (or, with an argument, bench/<name>.ts: `node bench/run.mjs soak`), transformed.
const entry = process.argv[2] ?? 'index';
if (!/^[a-z-]+$/.test(entry)) throw new Error(`bench/run.mjs: expected an entry name such as soak, got ${entry}`);
const benchFile = await bundle(
  {
    entryPoints: [join(benchDir, `${entry}.ts`)],
    sourcemap: 'inline',
    plugins: [externals, withSourceUrls(suitkaiseEsbuild({ root }))],
  },
  join(cacheDir, `bench-${entry}.mjs`),
);
await esbuild.stop();
console.log(`compiled bench/${entry}.ts in ${Math.round(performance.now() - compileStart)} ms`);

// 3. Run it. It must end on its own; if something keeps the process alive, say what.
process.env.SUITKAISE_BENCH_DIR = benchDir;
try {
  await import(pathToFileURL(benchFile).href);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
setTimeout(() => {
  console.error('bench: still running 3 s after the benchmark ended; active resources:', process.getActiveResourcesInfo());
  process.exitCode ||= 2;
  process.exit();
}, 3000).unref();
