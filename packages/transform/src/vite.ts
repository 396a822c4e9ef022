/**
 * The Vite plugin: `plugins: [suitkaise()]`. A thin host around the pure
 * transform: it runs it on app modules, serves the one worker entry every
 * registration names (`__suitkaise_worker__.js?sk-worker`, never on disk),
 * the table of modules it loads in a build, and the pruned module a worker
 * imports (`<module>?sk-worker-module`), sends the cross-origin isolation headers
 * shared memory needs, and turns diagnostics into Rollup errors (and
 * warnings) with id, loc and frame. Works for `vite dev`, `vite build` and Vitest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, Rollup } from 'vite';
import { browserWorkerEntry, workerModulesTable } from './host/entry.ts';
import { errorsAndWarnings, locatedMessage, type LocatedMessage } from './host/diagnostics.ts';
import {
  isWorkerEntry, isWorkerEntryRequest, isWorkerModuleRequest, RESOLVED_WORKER_MODULES_ID, resolvedWorkerEntry, withoutQuery, WORKER_MODULES_ID,
} from './host/ids.ts';
import { transform } from './index.ts';

/** Options of {@link suitkaise}. */
export interface SuitkaiseOptions {
  /**
   * Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`
   * from the dev and preview servers, so pages get SharedArrayBuffer.
   * @default true
   */
  crossOriginIsolation?: boolean;
}

const SOURCE = /\.[cm]?[jt]sx?$/;

/** A diagnostic's message as Rollup takes it: `id`, `loc` and `frame`. */
function rollupLog(message: LocatedMessage): Rollup.RollupLog {
  return { message: message.text, id: message.file, loc: { file: message.file, line: message.line, column: message.column }, frame: message.frame };
}

/**
 * @param host - what the page's and the worker bundles' instances of this plugin share
 * @param inWorkerBundle - this instance builds a worker bundle (its modules are not the app's)
 */
function transformPlugin(host: PluginHost, inWorkerBundle: boolean): Plugin {
  const { getRoot } = host;
  return {
    name: 'suitkaise:transform',
    enforce: 'pre',
    resolveId(source) {
      if (source === WORKER_MODULES_ID) return RESOLVED_WORKER_MODULES_ID;
      // The shared worker entry is on no disk: a build bundles it from its path (query dropped), a dev
      // server is asked for /__suitkaise_worker__.js?sk-worker&…; both come here.
      if (isWorkerEntry(source)) return resolvedWorkerEntry(getRoot(), source);
      return undefined;
    },
    async load(id) {
      if (id === RESOLVED_WORKER_MODULES_ID) return workerModulesTable(host.isBuild() ? await host.registeringModules() : null);
      if (isWorkerEntry(id)) return browserWorkerEntry();
      return undefined;
    },
    transform(code, id, options) {
      if (isWorkerEntryRequest(id)) return undefined;
      const file = withoutQuery(id);
      if (!SOURCE.test(file) || file.includes('/node_modules/') || id.startsWith('\0')) return undefined;
      const workerModule = isWorkerModuleRequest(id);
      const result = transform(code, file, {
        root: getRoot(),
        target: workerModule ? 'worker-module' : 'module',
        browserWorkers: !workerModule && !inWorkerBundle && !options?.ssr,
      });
      const { errors, warnings } = errorsAndWarnings(result.diagnostics);
      // Warnings once per module: not again for the module as a worker imports it.
      if (!workerModule && !inWorkerBundle) for (const d of warnings) this.warn(rollupLog(locatedMessage(d, code)));
      const [first, ...more] = errors;
      if (first) this.error(rollupLog(locatedMessage(first, code, more)));
      if (!workerModule && !inWorkerBundle && result.registrations.length > 0) host.noteRegistering(file);
      if (!result.changed) return undefined;
      // Registration is a side effect: keep it even in packages marked `"sideEffects": false`.
      return { code: result.code, map: result.map, moduleSideEffects: result.registrations.length > 0 ? true : null };
    },
  };
}

/**
 * Entry points only generated code imports (registration code, worker entries): Vite's dependency
 * scan reads the sources before the transform, so without this it finds them on first load and
 * reloads the page once for each.
 */
const GENERATED_IMPORTS = ['@suitkaise/core', '@suitkaise/core/internal', '@suitkaise/browser/worker'];

/**
 * The {@link GENERATED_IMPORTS} installed under node_modules, for `optimizeDeps.include`. Linked
 * packages (a workspace) are source code to Vite and are left alone, and so is one that does not resolve.
 */
function installedRuntimeEntries(root: string): string[] {
  const require = createRequire(join(root, 'package.json'));
  return GENERATED_IMPORTS.filter((specifier) => {
    try {
      return require.resolve(specifier).split(sep).includes('node_modules');
    } catch {
      return false;
    }
  });
}

/** What the page's and the worker bundles' instances of the transform plugin share. */
interface PluginHost {
  getRoot(): string;
  isBuild(): boolean;
  /**
   * Every module that registers something, key (path from the root) → file: those under the root
   * (scanned), and those the app imported from elsewhere that the transform has seen so far.
   */
  registeringModules(): Promise<ReadonlyMap<string, string>>;
  /** The transform saw `file` register something. */
  noteRegistering(file: string): void;
}

/** `path` with POSIX separators. */
function posixPath(path: string): string {
  return path.split(sep).join('/');
}

/** A module's key, as registration ids start: its path from the root, POSIX separators. */
function moduleKey(root: string, file: string): string {
  return posixPath(relative(root, file));
}

/** Directories never scanned for modules. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage']);

/** Source files under `root` (skipping dependencies, build output and dot-directories). */
async function* sourceFiles(dir: string, outDir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name) && path !== outDir) yield* sourceFiles(path, outDir);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/**
 * Scans the root once per build for modules that register classes or functions: a pool worker in
 * a build can only load what its bundle lists, and a build's worker bundles are made before every
 * app module has been seen.
 */
async function scanRegisteringModules(root: string, outDir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const file of sourceFiles(root, outDir)) {
    const code = await readFile(file, 'utf8');
    if (!code.includes('@suitkaise/core')) continue;
    const result = transform(code, file, { root, browserWorkers: false });
    if (result.registrations.length > 0) found.set(moduleKey(root, file), posixPath(file));
  }
  return found;
}

/** The suitkaise Vite plugin (also serves Vitest in node and browser mode). */
export default function suitkaise(options: SuitkaiseOptions = {}): Plugin[] {
  let root = process.cwd();
  let outDir = join(root, 'dist');
  let build = false;
  let scan: Promise<Map<string, string>> | null = null;
  const seen = new Map<string, string>();
  const host: PluginHost = {
    getRoot: () => root,
    isBuild: () => build,
    registeringModules: async () => new Map([...(await (scan ??= scanRegisteringModules(root, outDir))), ...seen]),
    noteRegistering: (file) => { seen.set(moduleKey(root, file), posixPath(file)); },
  };
  const isolation = options.crossOriginIsolation ?? true;
  const headers = isolation
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : undefined;
  return [
    {
      name: 'suitkaise:config',
      config(userConfig) {
        return {
          server: headers ? { headers } : {},
          preview: headers ? { headers } : {},
          worker: { format: 'es', plugins: () => [transformPlugin(host, true)] },
          optimizeDeps: { include: installedRuntimeEntries(resolve(userConfig.root ?? process.cwd())) },
        };
      },
      configResolved(config) {
        root = config.root;
        outDir = resolve(config.root, config.build.outDir);
        build = config.command === 'build';
      },
      buildStart() {
        scan = null; // a watch rebuild sees the modules as they are now
      },
    },
    transformPlugin(host, false),
  ];
}
