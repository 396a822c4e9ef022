/**
 * ts-morph's TypeScript as the build uses it: loaded on first use (so that `--help` and a build
 * whose modules are all cached cost nothing of it), the project's tsconfig parsed with it, and
 * what the project's compiler options say about a module's output.
 */
import type { ts } from 'ts-morph';

/** The TypeScript namespace ts-morph bundles (the type of {@link loadTypeScript}'s result). */
export type TypeScript = typeof ts;

let typescript: TypeScript | undefined;

/** ts-morph's TypeScript (6), loaded on first use. */
export async function loadTypeScript(): Promise<TypeScript> {
  typescript ??= (await import('ts-morph')).ts;
  return typescript;
}

/** ts-morph's TypeScript if {@link loadTypeScript} has loaded it, else `undefined` (nothing is loaded here). */
export function loadedTypeScript(): TypeScript | undefined {
  return typescript;
}

/**
 * The project of `configPath` as TypeScript reads it (paths in it relative to `cwd`), or the
 * errors that kept it from being read (a missing file, invalid JSON).
 */
export function parseConfig(ts: TypeScript, configPath: string, cwd: string): ts.ParsedCommandLine | ts.Diagnostic[] {
  const configErrors: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    getCurrentDirectory: () => cwd,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic),
  });
  return parsed ?? configErrors;
}

/** The module kind TypeScript emits under `options` (its own rule where it exposes it). */
export function moduleKindOf(ts: TypeScript, options: ts.CompilerOptions): ts.ModuleKind {
  const fromTypeScript = (ts as unknown as { getEmitModuleKind?: (options: ts.CompilerOptions) => ts.ModuleKind }).getEmitModuleKind;
  if (fromTypeScript) return fromTypeScript(options);
  return options.module ?? ((options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2015 ? ts.ModuleKind.ES2015 : ts.ModuleKind.CommonJS);
}

/** Whether `kind` is one of the `node16`…`nodenext` kinds, under which package.json `"type"` decides a file's format. */
export function isNodeModuleKind(ts: TypeScript, kind: ts.ModuleKind): boolean {
  return kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext;
}

/** Whether `fileName` compiles to an ES module under `options`. */
export function emitsEsm(ts: TypeScript, fileName: string, options: ts.CompilerOptions): boolean {
  const kind = moduleKindOf(ts, options);
  if (isNodeModuleKind(ts, kind)) {
    return ts.getImpliedNodeFormatForFile(fileName, undefined, ts.sys, options) === ts.ModuleKind.ESNext;
  }
  return [ts.ModuleKind.ES2015, ts.ModuleKind.ES2020, ts.ModuleKind.ES2022, ts.ModuleKind.ESNext, ts.ModuleKind.Preserve].includes(kind);
}

/** The extension tsc gives `fileName`'s JavaScript output. */
export function outputExtensionOf(ts: TypeScript, fileName: string, options: ts.CompilerOptions): string {
  if (/\.m[jt]s$/.test(fileName)) return '.mjs';
  if (/\.c[jt]s$/.test(fileName)) return '.cjs';
  if (/\.[jt]sx$/.test(fileName) && options.jsx === ts.JsxEmit.Preserve) return '.jsx';
  return '.js';
}

/**
 * The error for a transformed module that would not compile to an ES module (registrations read
 * `import.meta.url`). Made without loading TypeScript: a build served from its cache reports it too.
 */
export function esmRequired(original: string): ts.Diagnostic {
  return {
    category: 1 as ts.DiagnosticCategory.Error, // without loading TypeScript for its enum
    code: 1343,
    file: undefined,
    start: undefined,
    length: undefined,
    messageText:
      `${original}: suitkaise registrations use import.meta.url, so this module must compile to an ES module ` +
      `(set "module" to "es2022", "esnext" or "nodenext" with "type": "module" in package.json).`,
  };
}
