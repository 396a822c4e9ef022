/**
 * The Vite plugin: `plugins: [suitkaise()]`. A thin host around the pure
 * transform: it runs it on app modules, serves each process's worker entry
 * (`<module>?sk-worker`) and the pruned module a worker imports
 * (`<module>?sk-worker-module`), sends the cross-origin isolation headers
 * shared memory needs, and turns diagnostics into Rollup errors with
 * id, loc and frame. Works for `vite dev`, `vite build` and Vitest.
 */
import { basename } from 'node:path';
import type { Plugin } from 'vite';
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

const WORKER_ENTRY = /[?&]sk-worker(?:&|$)/;
const WORKER_MODULE = /[?&]sk-worker-module(?:&|$)/;
const SOURCE = /\.[cm]?[jt]sx?$/;

function cleanUrl(id: string): string {
  return id.replace(/[?#].*$/, '');
}

function frameOf(code: string, line: number, column: number): string {
  const lines = code.split('\n');
  const start = Math.max(0, line - 3);
  const out: string[] = [];
  for (let i = start; i < Math.min(lines.length, line + 2); i += 1) {
    out.push(`${String(i + 1).padStart(4)} | ${lines[i]}`);
    if (i + 1 === line) out.push(`     | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/** The module a `?sk-worker` URL serves: the pruned user module, then the engine. */
function workerEntry(file: string): string {
  return [
    `import ${JSON.stringify(`./${basename(file)}?sk-worker-module`)};`,
    'import { serve } from "@suitkaise/browser/worker";',
    'serve();',
    '',
  ].join('\n');
}

/**
 * @param workerEntries - modules whose processes have a worker entry, shared by the page's and the
 *   worker bundles' instances of this plugin.
 */
function transformPlugin(getRoot: () => string, inWorkerBundle: boolean, workerEntries: Set<string>): Plugin {
  return {
    name: 'suitkaise:transform',
    enforce: 'pre',
    // In builds Vite bundles `new URL('./x.ts?sk-worker', import.meta.url)` from the URL without its
    // query: turn such a worker bundle's entry back into our generated worker entry.
    resolveId(source, _importer, options) {
      if (inWorkerBundle && options.isEntry && !WORKER_ENTRY.test(source) && workerEntries.has(cleanUrl(source))) {
        return `${cleanUrl(source)}?sk-worker`;
      }
      return undefined;
    },
    load(id) {
      if (WORKER_ENTRY.test(id)) return workerEntry(cleanUrl(id));
      return undefined;
    },
    transform(code, id, options) {
      if (WORKER_ENTRY.test(id)) return undefined;
      const file = cleanUrl(id);
      if (!SOURCE.test(file) || file.includes('/node_modules/') || id.startsWith('\0')) return undefined;
      const workerModule = WORKER_MODULE.test(id);
      const result = transform(code, file, {
        root: getRoot(),
        target: workerModule ? 'worker-module' : 'module',
        browserWorkers: !workerModule && !inWorkerBundle && !options?.ssr,
      });
      const [first] = result.diagnostics;
      if (first) {
        const rest = result.diagnostics.slice(1).map((d) => `\n${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}`).join('');
        this.error({
          message: `${first.code}: ${first.message}${rest}`,
          id: file,
          loc: { file, line: first.line, column: first.column - 1 },
          frame: frameOf(code, first.line, first.column),
        });
      }
      if (!workerModule && result.registrations.some((registration) => registration.process)) workerEntries.add(file);
      if (!result.changed) return undefined;
      // Registration is a side effect: keep it even in packages marked `"sideEffects": false`.
      return { code: result.code, map: result.map, moduleSideEffects: result.registrations.length > 0 ? true : null };
    },
  };
}

/** The suitkaise Vite plugin (also serves Vitest in node and browser mode). */
export default function suitkaise(options: SuitkaiseOptions = {}): Plugin[] {
  let root = process.cwd();
  const getRoot = () => root;
  const workerEntries = new Set<string>();
  const isolation = options.crossOriginIsolation ?? true;
  const headers = isolation
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : undefined;
  return [
    {
      name: 'suitkaise:config',
      config() {
        return {
          server: headers ? { headers } : {},
          preview: headers ? { headers } : {},
          worker: { format: 'es', plugins: () => [transformPlugin(getRoot, true, workerEntries)] },
        };
      },
      configResolved(config) {
        root = config.root;
      },
    },
    transformPlugin(getRoot, false, workerEntries),
  ];
}
