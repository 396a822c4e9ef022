/**
 * An esbuild plugin hosting the transform: modules that use @suitkaise/core
 * are transformed, and `sk-worker-module:<file>` imports load the module as
 * a worker sees it (pruned of top-level side effects). Used by
 * @suitkaise/node to bundle worker entries.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Loader, Plugin, PartialMessage } from 'esbuild';
import { errorsAndWarnings, locatedMessage } from './host/diagnostics.ts';
import { fileOfWorkerModuleSpecifier, WORKER_MODULE_FILTER, WORKER_MODULE_NAMESPACE } from './host/ids.ts';
import { transform, type Diagnostic } from './index.ts';

/** Options of {@link suitkaiseEsbuild}. */
export interface SuitkaiseEsbuildOptions {
  /** Project root: registration ids are relative to it and must match the app's. */
  root: string;
}

const SOURCE = /\.[cm]?[jt]sx?$/;

function loaderFor(file: string): Loader {
  if (/\.[cm]?tsx$/.test(file) || file.endsWith('.tsx')) return 'tsx';
  if (/\.[cm]?ts$/.test(file)) return 'ts';
  return file.endsWith('x') ? 'jsx' : 'js';
}

function toMessage(diagnostic: Diagnostic): PartialMessage {
  const { text, file, line, column } = locatedMessage(diagnostic);
  return { text, location: { file, line, column } };
}

/** Errors fail the build; warnings are esbuild warnings. */
function messages(diagnostics: Diagnostic[]): { errors: PartialMessage[]; warnings: PartialMessage[] } {
  const { errors, warnings } = errorsAndWarnings(diagnostics);
  return { errors: errors.map(toMessage), warnings: warnings.map(toMessage) };
}

/** The esbuild plugin. */
export function suitkaiseEsbuild(options: SuitkaiseEsbuildOptions): Plugin {
  return {
    name: 'suitkaise',
    setup(build) {
      build.onResolve({ filter: WORKER_MODULE_FILTER }, (args) => ({
        path: fileOfWorkerModuleSpecifier(args.path),
        namespace: WORKER_MODULE_NAMESPACE,
        // Registration is a side effect: keep it even in packages marked `"sideEffects": false`.
        sideEffects: true,
      }));
      build.onLoad({ filter: /.*/, namespace: WORKER_MODULE_NAMESPACE }, async (args) => {
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
