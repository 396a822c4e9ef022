/**
 * An esbuild plugin hosting the transform: modules that use @suitkaise/core
 * are transformed, and `sk-worker-module:<file>` imports load the module as
 * a worker sees it (pruned of top-level side effects). Used by
 * @suitkaise/node to bundle worker entries.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Loader, Plugin, PartialMessage } from 'esbuild';
import { transform, type Diagnostic } from './index.ts';

/** Options of {@link suitkaiseEsbuild}. */
export interface SuitkaiseEsbuildOptions {
  /** Project root: registration ids are relative to it and must match the app's. */
  root: string;
}

const WORKER_MODULE = 'sk-worker-module:';
const SOURCE = /\.[cm]?[jt]sx?$/;

function loaderFor(file: string): Loader {
  if (/\.[cm]?tsx$/.test(file) || file.endsWith('.tsx')) return 'tsx';
  if (/\.[cm]?ts$/.test(file)) return 'ts';
  return file.endsWith('x') ? 'jsx' : 'js';
}

function toMessages(diagnostics: Diagnostic[], severity: Diagnostic['severity']): PartialMessage[] {
  return diagnostics.filter((d) => d.severity === severity).map((d) => ({
    text: `${d.code}: ${d.message}`,
    location: { file: d.file, line: d.line, column: d.column - 1 },
  }));
}

/** Errors fail the build; warnings are esbuild warnings. */
function messages(diagnostics: Diagnostic[]): { errors: PartialMessage[]; warnings: PartialMessage[] } {
  return { errors: toMessages(diagnostics, 'error'), warnings: toMessages(diagnostics, 'warning') };
}

/** The esbuild plugin. */
export function suitkaiseEsbuild(options: SuitkaiseEsbuildOptions): Plugin {
  return {
    name: 'suitkaise',
    setup(build) {
      build.onResolve({ filter: /^sk-worker-module:/ }, (args) => ({
        path: args.path.slice(WORKER_MODULE.length),
        namespace: 'sk-worker-module',
        // Registration is a side effect: keep it even in packages marked `"sideEffects": false`.
        sideEffects: true,
      }));
      build.onLoad({ filter: /.*/, namespace: 'sk-worker-module' }, async (args) => {
        const code = await readFile(args.path, 'utf8');
        const result = transform(code, args.path, { root: options.root, target: 'worker-module' });
        return { contents: result.code, loader: loaderFor(args.path), resolveDir: dirname(args.path), ...messages(result.diagnostics) };
      });
      build.onLoad({ filter: SOURCE }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const code = await readFile(args.path, 'utf8');
        if (!code.includes('@suitkaise/core')) return undefined;
        const result = transform(code, args.path, { root: options.root, target: 'module', browserWorkers: false });
        return { contents: result.code, loader: loaderFor(args.path), ...messages(result.diagnostics) };
      });
    },
  };
}
