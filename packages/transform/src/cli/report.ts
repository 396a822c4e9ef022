/**
 * Where the CLI writes ({@link CliIo}) and what it prints after a build: tsc's messages as tsc
 * printed them, configuration errors in TypeScript's format, the transform's diagnostics as
 * `file:line:column SK00x message` lines, then an error count or what was written.
 */
import type { ts } from 'ts-morph';
import { diagnosticLine } from '../host/diagnostics.ts';
import type { Diagnostic } from '../index.ts';
import type { BuildResult } from './result.ts';
import { loadedTypeScript } from './typescript.ts';

/** Where the CLI writes; the defaults are the process's streams and working directory. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Paths in arguments and messages are relative to this. */
  cwd: string;
  /** Colour and code frames in TypeScript's messages, as tsc does on a terminal. */
  pretty: boolean;
}

/** The process's own {@link CliIo}: its streams, its working directory, pretty on a terminal. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    pretty: Boolean(process.stdout.isTTY),
  };
}

/**
 * Print what a build did to `io`: the problems to stderr (tsc's text, configuration errors,
 * transform errors, then transform warnings) and, when there was no error, what was written to
 * stdout. Returns the exit code: `1` when the build had an error (warnings do not count), else `0`.
 */
export function report(result: BuildResult, io: CliIo): number {
  if (result.typeErrorText) io.stderr(result.typeErrorText);
  const configErrors = result.errors.filter((error): error is ts.Diagnostic => !isTransformDiagnostic(error));
  if (configErrors.length > 0) io.stderr(formatTypeScript(configErrors, io));
  for (const error of result.errors) {
    if (isTransformDiagnostic(error)) io.stderr(`${diagnosticLine(error, io.cwd)}\n`);
  }
  for (const warning of result.warnings) io.stderr(`${diagnosticLine(warning, io.cwd)}\n`);
  const errors = result.typeErrors + result.errors.length;
  if (errors > 0) {
    io.stderr(`\nFound ${errors} error${errors === 1 ? '' : 's'}.\n`);
    return 1;
  }
  if (result.tsc === undefined) {
    io.stdout('suitkaise: not type-checked: typescript is not installed for this project (type-checking is left to `tsc --noEmit`)\n');
  }
  io.stdout(
    `suitkaise: ${result.written.length} file${result.written.length === 1 ? '' : 's'} written; ` +
      `${result.transformed.length} module${result.transformed.length === 1 ? '' : 's'} transformed, ` +
      `${result.workerModules.length} worker module${result.workerModules.length === 1 ? '' : 's'}\n`,
  );
  return 0;
}

/** The transform's diagnostics have string codes (`SK002`); TypeScript's, numbers. */
function isTransformDiagnostic(error: ts.Diagnostic | Diagnostic): error is Diagnostic {
  return typeof error.code === 'string';
}

function formatTypeScript(diagnostics: readonly ts.Diagnostic[], io: CliIo): string {
  const ts = loadedTypeScript();
  // Only messages without a file come before TypeScript is loaded (a module that must be an ES module).
  if (ts === undefined) return diagnostics.map((d) => `error TS${d.code}: ${typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText}\n`).join('');
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => io.cwd,
    getNewLine: () => '\n',
  };
  return io.pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
}
