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

function transformPlugin(getRoot: () => string, inWorkerBundle: boolean): Plugin {
  return {
    name: 'suitkaise:transform',
    enforce: 'pre',
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
      if (!result.changed) return undefined;
      return { code: result.code, map: result.map };
    },
  };
}

/** The suitkaise Vite plugin (also serves Vitest in node and browser mode). */
export default function suitkaise(options: SuitkaiseOptions = {}): Plugin[] {
  let root = process.cwd();
  const getRoot = () => root;
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
          worker: { format: 'es', plugins: () => [transformPlugin(getRoot, true)] },
        };
      },
      configResolved(config) {
        root = config.root;
      },
    },
    transformPlugin(getRoot, false),
  ];
}
