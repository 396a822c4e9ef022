/**
 * Node module customization hooks behind `node --import @suitkaise/node/register app.ts`
 * (register.mjs installs them). They run on Node's loader thread, not the app's.
 *
 * - `resolve` adds the `@suitkaise/source` export condition, so @suitkaise packages (and any
 *   package that opts in) resolve to their TypeScript sources; in TypeScript modules it also
 *   maps a relative `./x.js` to `./x.ts` and an extensionless `./x` to `./x.ts`, as tsc allows.
 * - `load` compiles `.ts`, `.mts` and `.tsx` files outside node_modules (and the `src/` of
 *   @suitkaise packages inside it) to ESM: first the suitkaise transform when the module uses
 *   @suitkaise/core (`@sk()` becomes a registration; misplaced classes fail the load with
 *   file:line:column, and warnings go to stderr), then esbuild's `transform` (types stripped,
 *   decorators lowered).
 *
 * Plain JavaScript on purpose: nothing compiles this file.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SOURCE_CONDITION = '@suitkaise/source';
const CORE_MODULE = '@suitkaise/core';
/** What `load` compiles. `.cts` is left alone: it is CommonJS, and suitkaise is ESM only. */
const TYPESCRIPT = /\.(?:m?ts|tsx)$/;
const NODE_MODULES = /[\\/]node_modules[\\/]/;
/** Inside node_modules, only the TypeScript sources that @suitkaise packages publish. */
const SUITKAISE_SOURCE = /[\\/]node_modules[\\/]@suitkaise[\\/][^\\/]+[\\/]src[\\/](?!.*[\\/]node_modules[\\/])/;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(SOURCE_CONDITION) ? context.conditions : [SOURCE_CONDITION, ...context.conditions];
  try {
    return await nextResolve(specifier, { ...context, conditions });
  } catch (error) {
    const url = typeScriptAlternative(specifier, context.parentURL, error);
    if (url === undefined) throw error;
    return { url, shortCircuit: true };
  }
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  if (!TYPESCRIPT.test(file) || (NODE_MODULES.test(file) && !SUITKAISE_SOURCE.test(file))) return nextLoad(url, context);
  const code = await readFile(file, 'utf8');
  return { format: 'module', source: await compile(code, file), shortCircuit: true };
}

/** The module as ESM JavaScript with an inline source map back to the TypeScript. */
async function compile(code, file) {
  let input = code;
  if (code.includes(CORE_MODULE)) {
    const { transform } = await loadTransform();
    const result = transform(code, file, { root: rootOf(file), target: 'module', browserWorkers: false });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw transformError(file, errors);
    for (const d of result.diagnostics) if (d.severity === 'warning') console.warn(formatDiagnostic(d));
    // esbuild reads an inline input map and chains it, so the output maps to the original file.
    if (result.changed) input = `${result.code}\n//# sourceMappingURL=${result.map.toUrl()}\n`;
  }
  const { transform } = await import('esbuild');
  const output = await transform(input, {
    loader: file.endsWith('.tsx') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
    logLevel: 'silent',
  });
  return output.code;
}

/** `file:line:column SKxxx message`; a warning says so: `SK101 warning: message`. */
function formatDiagnostic(d) {
  return `${d.file}:${d.line}:${d.column} ${d.code}${d.severity === 'warning' ? ' warning:' : ''} ${d.message}`;
}

/** One error for every error diagnostic, each on its own line. */
function transformError(file, diagnostics) {
  const lines = diagnostics.map(formatDiagnostic);
  const error = new Error(`suitkaise: ${file} cannot run in a worker as written:\n${lines.join('\n')}`);
  error.code = 'ERR_SUITKAISE_TRANSFORM';
  return error;
}

/**
 * How the hooks get `transform()` from @suitkaise/transform, which ships TypeScript sources:
 * this thread cannot import `.ts` (hooks do not apply to the hooks module's own imports), so
 * the first module that needs it makes esbuild bundle the transform's sources in memory
 * (about 60 ms; loading ts-morph then takes about 0.6 s) and imports the bundle from a `data:`
 * URL. Its third-party imports (ts-morph,
 * magic-string) stay external as absolute `file:` URLs resolved from the transform package, the
 * only kind of import a `data:` module can make, so they resolve exactly as the package
 * declares them. Nothing is written to disk: it works in read-only installs and never goes
 * stale. A prebuilt `dist/` is not needed (and not preferred, so that the sources under test
 * are the ones that run).
 */
let transformModule;
function loadTransform() {
  transformModule ??= bundleTransform();
  return transformModule;
}

async function bundleTransform() {
  const esbuild = await import('esbuild');
  const resolving = Symbol('resolving');
  const built = await esbuild.build({
    stdin: {
      contents: 'export { transform } from "@suitkaise/transform";',
      resolveDir: dirname(fileURLToPath(import.meta.url)),
      sourcefile: 'suitkaise-transform.js',
      loader: 'js',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: [SOURCE_CONDITION],
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [
      {
        name: 'suitkaise:absolute-externals',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === resolving || args.path.startsWith('@suitkaise/')) return undefined;
            const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: resolving });
            if (found.errors.length > 0) return { errors: found.errors };
            if (found.external) return { path: args.path, external: true }; // node: built-ins
            return { path: pathToFileURL(found.path).href, external: true };
          });
        },
      },
    ],
  });
  const code = built.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

const packageDirs = new Map();

/** The nearest directory from `dir` up that holds a package.json and is not inside node_modules. */
function packageDirOf(dir) {
  if (packageDirs.has(dir)) return packageDirs.get(dir);
  const parent = dirname(dir);
  let found;
  if (!NODE_MODULES.test(`${dir}/`) && existsSync(join(dir, 'package.json'))) found = dir;
  else found = parent === dir ? undefined : packageDirOf(parent);
  packageDirs.set(dir, found);
  return found;
}

/**
 * The project root ids are relative to. Any root works as long as every module of one app
 * gets the same one: @suitkaise/node's worker bundler recovers it from the module's path and
 * id, transforms the worker's modules against it, and caches the bundle in
 * `<root>/node_modules/.cache` so that the worker's packages resolve as the app's do. So:
 * the working directory when it is a package directory (one root for a whole monorepo run
 * from its top, hence distinct ids for `src/a.ts` of two workspaces) and holds the file;
 * otherwise the file's nearest package directory outside node_modules; else its directory.
 */
function rootOf(file) {
  const cwd = process.cwd();
  const inside = relative(cwd, file);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside) && packageDirOf(cwd) === cwd) return cwd;
  return packageDirOf(dirname(file)) ?? dirname(file);
}

/** Where tsc would find a relative import that Node did not: `./x.js` → `./x.ts`, `./x` → `./x.ts`. */
function typeScriptAlternative(specifier, parentURL, error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'ERR_UNSUPPORTED_DIR_IMPORT') return undefined;
  if (!parentURL?.startsWith('file:') || !TYPESCRIPT.test(fileURLToPath(parentURL))) return undefined;
  if (!/^\.\.?\//.test(specifier)) return undefined;
  const base = new URL(specifier, parentURL);
  const path = fileURLToPath(base);
  const swapped = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.jsx': ['.tsx'] }[path.match(/\.[mc]?jsx?$/)?.[0] ?? ''];
  const candidates = swapped
    ? swapped.map((extension) => path.replace(/\.[mc]?jsx?$/, extension))
    : ['.ts', '.tsx', '.mts', '/index.ts', '/index.tsx'].map((suffix) => path + suffix);
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  return found === undefined ? undefined : `${pathToFileURL(found).href}${base.search}${base.hash}`;
}
