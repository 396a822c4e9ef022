/**
 * Node module customization hooks behind `node --import @suitkaise/node/register app.ts`
 * (register.mjs installs them). They run on Node's loader thread, not the app's.
 *
 * - `resolve` adds the `@suitkaise/source` export condition for packages outside node_modules
 *   (workspace links: @suitkaise packages, and any package that opts in, resolve to their
 *   TypeScript sources); a package installed in node_modules resolves as plain Node resolves it,
 *   to its built JavaScript. In TypeScript modules it also maps a relative `./x.js` to `./x.ts`
 *   and an extensionless `./x` to `./x.ts`, as tsc allows.
 * - `load` compiles `.ts`, `.mts` and `.tsx` files outside node_modules (and the `src/` of
 *   @suitkaise packages inside it) to ESM: first the suitkaise transform when the module uses
 *   @suitkaise/core (`@sk()` becomes a registration; misplaced classes fail the load with
 *   file:line:column, and warnings go to stderr), then esbuild's `transform` (types stripped,
 *   decorators lowered). The output is cached on disk, named by a hash of the file's path and
 *   content, the project root and the compilers' own code and versions
 *   (`node_modules/.cache/suitkaise/hooks/`, in the nearest node_modules up from the file; both
 *   rules are @suitkaise/transform's src/host/root.mjs): a start whose files are all cached loads
 *   neither esbuild nor the transform (nor ts-morph).
 *
 * Plain JavaScript on purpose: nothing compiles this file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';

const SOURCE_CONDITION = '@suitkaise/source';
const CORE_MODULE = '@suitkaise/core';
/** What `load` compiles. `.cts` is left alone: it is CommonJS, and suitkaise is ESM only. */
const TYPESCRIPT = /\.(?:m?ts|tsx)$/;
const NODE_MODULES = /[\\/]node_modules[\\/]/;
/** Inside node_modules, only the TypeScript sources that @suitkaise packages publish. */
const SUITKAISE_SOURCE = /[\\/]node_modules[\\/]@suitkaise[\\/][^\\/]+[\\/]src[\\/](?!.*[\\/]node_modules[\\/])/;

/** A specifier whose resolution no export condition changes: relative, absolute, a URL. */
const PATH_LIKE = /^(?:\.\.?(?:[\\/]|$)|[\\/]|[a-zA-Z][a-zA-Z\d+.-]*:)/;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  // Asked for on the command line (--conditions=@suitkaise/source): sources everywhere, as asked.
  if (context.conditions.includes(SOURCE_CONDITION) || PATH_LIKE.test(specifier)) return resolveOrTypeScript(specifier, context, nextResolve);
  // Node merges what a hook passes to nextResolve into `context` itself: keep the conditions as they came.
  const asNodeResolves = { ...context, conditions: [...context.conditions] };
  let resolved;
  try {
    resolved = await nextResolve(specifier, { ...context, conditions: [SOURCE_CONDITION, ...context.conditions] });
  } catch (error) {
    // A source path that is not there (an installed package that ships no sources): as Node would resolve it.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(specifier, asNodeResolves);
  }
  // An installed package runs its built JavaScript: its sources would be compiled on every start.
  if (resolved.url.startsWith('file:') && NODE_MODULES.test(resolved.url)) return nextResolve(specifier, asNodeResolves);
  return resolved;
}

async function resolveOrTypeScript(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
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
  return { format: 'module', source: await compileCached(code, file), shortCircuit: true };
}

/** {@link compile}, from the disk cache when this file, as it is now, was compiled by the same compilers before. */
async function compileCached(code, file) {
  const usesCore = code.includes(CORE_MODULE);
  const rules = await loadRootRules();
  // Without @suitkaise/transform nothing is cached, and a module that uses core fails in loadTransform, saying so.
  const root = usesCore && rules ? rules.projectRoot(file, process.cwd(), disk.hasPackageJson) : '';
  const cacheDir = rules?.cacheDirOf(dirname(file), 'hooks', disk.hasNodeModules);
  const key = cacheDir && createHash('sha256').update(`${compilerFingerprint(usesCore)}\0${file}\0${root}\0`).update(code).digest('hex');
  const entry = key && join(cacheDir, `${key}.json`);
  if (entry) {
    try {
      const cached = JSON.parse(await readFile(entry, 'utf8'));
      for (const warning of cached.warnings) console.warn(warning);
      return cached.code;
    } catch {
      // not cached yet (or unreadable): compile
    }
  }
  const compiled = await compile(code, file, root);
  for (const warning of compiled.warnings) console.warn(warning);
  if (entry) await writeCache(cacheDir, entry, JSON.stringify(compiled));
  return compiled.code;
}

/** Write through a temporary file (a concurrent start never reads half an entry); a read-only cache is no error. */
async function writeCache(dir, file, contents) {
  try {
    await mkdir(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.${threadId}.tmp`;
    await writeFile(temporary, contents);
    await rename(temporary, file);
  } catch {
    // no cache: the next start compiles again
  }
}

let rootRules;
let disk;

/**
 * The project root and cache directory rules (root.mjs of @suitkaise/transform: plain JavaScript,
 * so this thread imports it as it is, without esbuild); `undefined` without the transform.
 */
function loadRootRules() {
  rootRules ??= (async () => {
    const dir = transformPackageDir();
    if (dir === undefined) return undefined;
    const rules = await import(pathToFileURL(join(dir, 'src', 'host', 'root.mjs')).href);
    disk = rules.onDisk();
    return rules;
  })();
  return rootRules;
}

const fingerprints = new Map();

/**
 * What a compiled file depends on besides its path and content: this file, esbuild's version
 * and, for modules the transform rewrites, the transform's sources (paths, sizes, modification
 * times) and its package.json (which pins ts-morph). Worked out once per thread.
 */
function compilerFingerprint(withTransform) {
  let fingerprint = fingerprints.get(withTransform);
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(`\0esbuild ${packageVersion('esbuild')}\0${process.versions.node.split('.')[0]}`);
  if (withTransform) {
    const dir = transformPackageDir();
    if (dir) {
      hash.update(`\0${readFileSync(join(dir, 'package.json'))}`);
      for (const file of filesUnder(join(dir, 'src'))) {
        const stat = statSync(file);
        hash.update(`\0${file}\0${stat.size}\0${stat.mtimeMs}`);
      }
    } else {
      hash.update(`\0${Math.random()}`); // unknown: never reuse
    }
  }
  fingerprint = hash.digest('hex');
  fingerprints.set(withTransform, fingerprint);
  return fingerprint;
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

let transformDir;

/** The directory of the @suitkaise/transform package next to this one (as Node resolves it from here), its links followed. */
function transformPackageDir() {
  if (transformDir !== undefined) return transformDir ?? undefined;
  transformDir = null;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@suitkaise', 'transform');
    if (existsSync(join(candidate, 'package.json'))) {
      transformDir = realpathSync(candidate);
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return transformDir ?? undefined;
}

function filesUnder(dir) {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/** The module as ESM JavaScript with an inline source map back to the TypeScript, and the transform's warnings. */
async function compile(code, file, root) {
  let input = code;
  const warnings = [];
  if (code.includes(CORE_MODULE)) {
    const { transform, errorsAndWarnings, diagnosticLine, transformFailure } = await loadTransform();
    const result = transform(code, file, { root, target: 'module', browserWorkers: false });
    const { errors, warnings: found } = errorsAndWarnings(result.diagnostics);
    if (errors.length > 0) throw transformFailure(file, errors);
    for (const d of found) warnings.push(diagnosticLine(d));
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
  return { code: output.code, warnings };
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
  const dir = transformPackageDir();
  if (dir === undefined) throw new Error('suitkaise: the register hook needs @suitkaise/transform installed next to @suitkaise/node to compile modules that use @suitkaise/core');
  const esbuild = await import('esbuild');
  const resolving = Symbol('resolving');
  const built = await esbuild.build({
    stdin: {
      // The transform and how hosts report its diagnostics (src/host/diagnostics.ts).
      contents: [
        'export { transform } from "./src/index.ts";',
        'export { diagnosticLine, errorsAndWarnings, transformFailure } from "./src/host/diagnostics.ts";',
      ].join('\n'),
      resolveDir: dir,
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
