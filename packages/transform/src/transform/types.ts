/**
 * Public types of the transform, and the resolved form of its options.
 * Types only apart from {@link resolveOptions}.
 */
import type { SourceMap } from 'magic-string';

/** Options of {@link transform}. */
export interface TransformOptions {
  /** Absolute project root; ids are the module path relative to it (POSIX separators) + `#` + export name. */
  root: string;
  /**
   * `'module'`: the module as the app imports it.
   * `'worker-module'`: the module as a worker imports it, pruned to the `@sk()` classes and `sk()`
   * functions and what they reference, so that top-level side effects do not run in the worker.
   * @default 'module'
   */
  target?: 'module' | 'worker-module';
  /**
   * Emit the `browserWorker` thunk on Skprocess classes.
   * @default true for `'module'`; always `false` for `'worker-module'`
   */
  browserWorkers?: boolean;
  /**
   * Module the generated code imports `register` from.
   * @default '@suitkaise/core/internal'
   */
  runtimeModule?: string;
  /**
   * For hosts that emit each module's `'worker-module'` output as a file next to it (the
   * `suitkaise build` CLI): the suffix that replaces the module's extension in that file's name.
   * With `'.sk-worker.js'`, every registration of `src/counter.ts` also carries
   * `workerModuleUrl: new URL("./counter.sk-worker.js", import.meta.url).href`, which the Node
   * adapter bundles instead of the module's source. Ignored for `'worker-module'`.
   * @default undefined (no `workerModuleUrl`)
   */
  workerModuleSuffix?: string;
}

/**
 * A build-time finding: something in the module cannot work in a worker (an error), or works
 * in a way that is easy to get wrong (a warning). Hosts fail the build on errors only.
 */
export interface Diagnostic {
  /**
   * Errors: `SK001` not exported; `SK002` not at module top level; `SK003` captures a local of an
   * enclosing function; `SK004` a `#private` member or `accessor` field (they do not survive the trip)
   * without toState/fromState; `SK005` a process member named like a lifecycle hook that is none
   * (`__results__`), so never called.
   * Warnings: `SK101` reads a module-level `let`/`var` that the module reassigns, which a worker
   * (with its own copy of the module) does not see.
   */
  code: 'SK001' | 'SK002' | 'SK003' | 'SK004' | 'SK005' | 'SK101';
  /**
   * `'error'` (`SK0xx`): the module would fail, or silently misbehave, in a worker; hosts fail the build.
   * `'warning'` (`SK1xx`): it works, but maybe not as meant; hosts print it and go on.
   */
  severity: 'error' | 'warning';
  /** What is wrong and what to do about it. */
  message: string;
  /** The module's path (the `id` without a `?query`). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** A class or function the transformed module registers with the runtime. */
export interface Registration {
  /** Stable id: module path relative to the root, `#`, export name (e.g. `src/counter.ts#Counter`). */
  id: string;
  /** The name the module exports it under (`'default'` for a default export). */
  exportName: string;
  /** `'class'` for `@sk()` classes, `'function'` for `sk()` functions. */
  kind: 'class' | 'function';
  /** The class extends `Skprocess` (or, conservatively, a class imported from another module). */
  process: boolean;
}

/** What {@link transform} returns. */
export interface TransformResult {
  /** The transformed module (the input itself when nothing changed). */
  code: string;
  /** Source map from `code` back to the input, or `null` when nothing changed. */
  map: SourceMap | null;
  /** Errors and warnings found (see {@link Diagnostic.severity}); the code is still transformed as far as possible. */
  diagnostics: Diagnostic[];
  /** Every class and function the output registers, in source order. */
  registrations: Registration[];
  /** Whether `code` differs from the input. */
  changed: boolean;
}

/** The module's core package: `sk` and `Skprocess` count only when imported from here. */
export const CORE_MODULE = '@suitkaise/core';

/** Options with every default applied. */
export interface ResolvedOptions {
  root: string;
  target: 'module' | 'worker-module';
  browserWorkers: boolean;
  runtimeModule: string;
  /** `null` when registrations carry no `workerModuleUrl`. */
  workerModuleSuffix: string | null;
}

/** Apply the defaults once; a malformed option is a programming error and throws a `TypeError` naming it. */
export function resolveOptions(options: TransformOptions): ResolvedOptions {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new TypeError('options.root must be the absolute path of the project root');
  }
  const target = options.target ?? 'module';
  if (target !== 'module' && target !== 'worker-module') {
    throw new TypeError(`options.target must be 'module' or 'worker-module', got ${JSON.stringify(target)}`);
  }
  const suffix = options.workerModuleSuffix;
  if (suffix !== undefined && (typeof suffix !== 'string' || !/^\.[^/\\]+$/.test(suffix))) {
    throw new TypeError(`options.workerModuleSuffix must be a file name suffix starting with '.' (e.g. '.sk-worker.js'), got ${JSON.stringify(suffix)}`);
  }
  return {
    root: options.root,
    target,
    browserWorkers: target === 'module' && (options.browserWorkers ?? true),
    runtimeModule: options.runtimeModule ?? '@suitkaise/core/internal',
    workerModuleSuffix: target === 'module' ? (suffix ?? null) : null,
  };
}
