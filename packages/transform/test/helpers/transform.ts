// Shared by the unit tests of the pure transform: running it on a module of a project at /project,
// writing modules line by line, and checking what comes out (it parses, where it maps back to).
import { decode } from '@jridgewell/sourcemap-codec';
import { Project, SyntaxKind } from 'ts-morph';
import { transform, type TransformOptions, type TransformResult } from '../../src/index.ts';

/** The project root the unit tests' modules live in. */
export const ROOT = '/project';

/** `code`, as the module at `file` (a path from {@link ROOT}), with `options` over `{ root: ROOT }`. */
export function transformAt(code: string, file: string, options: Partial<TransformOptions> = {}): TransformResult {
  return transform(code, `${ROOT}/${file}`, { root: ROOT, ...options });
}

/** {@link transformAt} for one module, with its own default options. */
export function transformerOf(file: string, defaults: Partial<TransformOptions> = {}): (code: string, options?: Partial<TransformOptions>) => TransformResult {
  return (code, options = {}) => transformAt(code, file, { ...defaults, ...options });
}

/** A module's text from its lines. */
export const lines = (...text: string[]): string => text.join('\n');

/** 1-based column of the first `snippet` on 1-based `line` of `code` (0 when it is not there). */
export const col = (code: string, line: number, snippet: string): number => (code.split('\n')[line - 1]?.indexOf(snippet) ?? -2) + 1;

/** Output parsed again: its syntax errors (it must have none) and the decorators left in it. */
export function reparse(code: string): { errors: number; decorators: number } {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true } });
  const file = project.createSourceFile('/out.ts', code);
  return {
    errors: project.getProgram().getSyntacticDiagnostics(file).length,
    decorators: file.getDescendantsOfKind(SyntaxKind.Decorator).length,
  };
}

/** 0-based [line, column] of the first `snippet` in `code` (line -1 when it is not there). */
export function positionIn(code: string, snippet: string): [number, number] {
  const all = code.split('\n');
  const line = all.findIndex((text) => text.includes(snippet));
  return [line, all[line]?.indexOf(snippet) ?? -1];
}

/** Where 0-based `line`/`column` of a single-source map's generated text maps to in the original, 0-based. */
export function originalOf(mappings: string, line: number, column: number): [number, number] {
  const segment = decode(mappings)[line]?.filter((s) => s[0] <= column).at(-1);
  if (segment === undefined || segment.length === 1) throw new Error(`no mapping at ${line}:${column}`);
  return [segment[2], segment[3] + column - segment[0]];
}

/** Where `snippet` in the transform's output maps back to in its input, 0-based. */
export function originalPositionOf(result: TransformResult, snippet: string): [number, number] {
  const [line, column] = positionIn(result.code, snippet);
  return originalOf(result.map?.mappings ?? '', line, column);
}
