/**
 * The pipeline: find → check (placement, hook names, module state) → rewrite Share read-modify-writes → rewrite `@sk()` and
 * `@autoreconnect` (→ prune for the worker-module target). Pure: the same
 * input gives the same output, and nothing outside the returned value changes.
 */
import MagicString from 'magic-string';
import { posix } from 'node:path';
import { findAutoreconnects, rewriteAutoreconnects } from './autoreconnect.ts';
import { checkItems } from './check.ts';
import { findItems } from './find.ts';
import { checkHookNames } from './hook-names.ts';
import { checkModuleState } from './module-state.ts';
import { parse } from './parse.ts';
import { prune } from './prune.ts';
import { rewrite, type ModulePath } from './rewrite.ts';
import { findShareUpdates, rewriteShareUpdates } from './share.ts';
import { CORE_MODULE, resolveOptions, type TransformOptions, type TransformResult } from './types.ts';

/**
 * Transform one module: replace `@sk()` decorators with registration code, register `sk()`
 * functions, compile read-modify-writes of a `Share`'s properties (`share.x += 1`) into one
 * atomic `share.update(key, fn)`, and report what cannot work in a worker. Never throws for problems in `code`:
 * they come back as `diagnostics` next to best-effort output.
 *
 * @param code - the module's source (TypeScript or JavaScript, with or without JSX)
 * @param id - the module's absolute path; a `?query` (as Vite adds) is ignored
 * @param options - see {@link TransformOptions}
 */
export function transform(code: string, id: string, options: TransformOptions): TransformResult {
  const resolved = resolveOptions(options);
  if (!code.includes(CORE_MODULE)) return unchanged(code);
  const path = modulePath(id, resolved.root);
  const source = parse(code, path.file);
  const items = findItems(source);
  const diagnostics = [
    ...checkItems(items, source, path.file),
    ...checkHookNames(items, source, path.file),
    ...checkModuleState(items, source, path.file),
  ];
  const s = new MagicString(code);
  // First: the other passes' removals (decorators, pruned statements) may cover its edits, not the reverse.
  rewriteShareUpdates(s, code, source, findShareUpdates(source));
  const registrations = rewrite(s, code, items, path, resolved);
  rewriteAutoreconnects(s, code, findAutoreconnects(source), items);
  if (resolved.target === 'worker-module') prune(s, code, source, items);
  if (!s.hasChanged()) return { ...unchanged(code), diagnostics };
  return {
    code: s.toString(),
    map: s.generateMap({ hires: 'boundary', source: id, includeContent: true }),
    diagnostics,
    registrations,
    changed: true,
  };
}

function unchanged(code: string): TransformResult {
  return { code, map: null, diagnostics: [], registrations: [], changed: false };
}

/** The id's path without query, relative to the root with POSIX separators, and its file name. */
function modulePath(id: string, root: string): ModulePath & { file: string } {
  const file = id.replace(/\?.*$/s, '');
  const posixFile = file.replaceAll('\\', '/');
  const posixRoot = root.replaceAll('\\', '/');
  const absolute = posixFile.startsWith('/') || /^[A-Za-z]:\//.test(posixFile);
  const relative = posix.relative(posixRoot, absolute ? posixFile : posix.join(posixRoot, posixFile));
  return { file, relative, basename: posix.basename(posixFile) };
}
