/**
 * How every host shows the transform's {@link Diagnostic}s: errors fail (the build, the load),
 * warnings are printed and the host goes on. On a terminal a diagnostic is one line,
 * `file:line:column SK002 message` (`SK101 warning: message` for a warning), as tsc prints its own;
 * a bundler gets the message with its location (0-based column, as Rollup and esbuild count) and a
 * code frame.
 */
import { isAbsolute, relative } from 'node:path';
import type { Diagnostic } from '../transform/types.ts';

/** The errors (which fail) and the warnings (which do not), each in the order found. */
export function errorsAndWarnings(diagnostics: readonly Diagnostic[]): { errors: Diagnostic[]; warnings: Diagnostic[] } {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error'),
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
}

/**
 * `src/a.ts:5:3 SK002 message`; a warning says so: `SK101 warning: message`. The path is relative
 * to `cwd` (POSIX separators) when the file is inside it, else as the diagnostic has it.
 */
export function diagnosticLine(diagnostic: Diagnostic, cwd?: string): string {
  const code = diagnostic.severity === 'warning' ? `${diagnostic.code} warning:` : diagnostic.code;
  return `${displayPath(diagnostic.file, cwd)}:${diagnostic.line}:${diagnostic.column} ${code} ${diagnostic.message}`;
}

function displayPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined) return file;
  const inside = relative(cwd, file);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split('\\').join('/') : file;
}

/**
 * The lines around 1-based `line`, numbered, with a caret under 1-based `column`: two lines
 * before it and two after, as far as `code` has them.
 */
export function codeFrame(code: string, line: number, column: number): string {
  const lines = code.split('\n');
  const out: string[] = [];
  for (let i = Math.max(0, line - 3); i < Math.min(lines.length, line + 2); i += 1) {
    out.push(`${String(i + 1).padStart(4)} | ${lines[i]}`);
    if (i + 1 === line) out.push(`     | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/** One diagnostic (or several, the first giving the location) as a bundler reports a message. */
export interface LocatedMessage {
  /** `SK002: message`; further diagnostics follow on their own lines, as {@link diagnosticLine}s. */
  text: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 0-based, as Rollup and esbuild count columns. */
  column: number;
  /** {@link codeFrame} at the location, when the module's code is given. */
  frame: string | undefined;
}

/**
 * `first` as a bundler's message, with `more` of the same kind listed under it (a bundler stops at
 * the first error, so the rest ride along). `code` is the module's text, for the frame.
 */
export function locatedMessage(first: Diagnostic, code?: string, more: readonly Diagnostic[] = []): LocatedMessage {
  return {
    text: [`${first.code}: ${first.message}`, ...more.map((d) => diagnosticLine(d))].join('\n'),
    file: first.file,
    line: first.line,
    column: first.column - 1,
    frame: code === undefined ? undefined : codeFrame(code, first.line, first.column),
  };
}

/** The error a host throws when a module cannot run as written (the register hook fails the module's load with it). */
export interface TransformFailure extends Error {
  code: 'ERR_SUITKAISE_TRANSFORM';
}

/** One error for every error diagnostic of `file`, each on a line of its own. */
export function transformFailure(file: string, errors: readonly Diagnostic[]): TransformFailure {
  const message = `suitkaise: ${file} cannot run in a worker as written:\n${errors.map((d) => diagnosticLine(d)).join('\n')}`;
  return Object.assign(new Error(message), { code: 'ERR_SUITKAISE_TRANSFORM' as const });
}
