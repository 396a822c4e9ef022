/**
 * Pass 3, rewrite: `@sk()` decorators go (no runtime decorator support needed), and every
 * correctly placed item gets one `__sk_register(...)` statement after its declaration.
 * Edits go through magic-string so the host gets a source map.
 */
import type MagicString from 'magic-string';
import { Node, type ClassDeclaration, type ClassExpression } from 'ts-morph';
import { workerEntryUrl } from '../host/ids.ts';
import { classKeywordEnd, type SkItem } from './find.ts';
import { bindingOf, isCoreExport } from './symbols.ts';
import { CORE_MODULE, type Registration, type ResolvedOptions } from './types.ts';

/** Where the module lives. */
export interface ModulePath {
  /** Path relative to the root, POSIX separators: the first half of every id. */
  relative: string;
  /** File name, for the URL of its worker module (`./<name>.sk-worker.js`). */
  basename: string;
}

/** Local name used for the registration import. */
export const REGISTER = '__sk_register';

/** Apply the decorator removals and registrations to `s`; returns what was registered, in source order. */
export function rewrite(s: MagicString, code: string, items: readonly SkItem[], path: ModulePath, options: ResolvedOptions): Registration[] {
  const registrations: Registration[] = [];
  for (const item of items) {
    if (item.decorator !== undefined) removeDecorator(s, code, item.decorator.getStart(), item.decorator.getEnd());
  }
  for (const item of items) {
    if (item.statement === undefined || item.exportName === undefined) continue;
    const classNode = Node.isClassDeclaration(item.node) || Node.isClassExpression(item.node) ? item.node : undefined;
    let name = item.name;
    if (name === undefined) {
      if (classNode === undefined) continue;
      // `export default class {}` has no binding to pass to register: give it one. Its `.name`
      // becomes the generated name instead of 'default'; nothing in suitkaise reads `.name`.
      name = freshName(code, '__sk_default');
      s.appendLeft(classKeywordEnd(classNode), ` ${name}`);
    }
    const process = classNode !== undefined && isProcess(classNode, new Set());
    const registration: Registration = {
      id: `${path.relative}#${item.exportName}`,
      exportName: item.exportName,
      kind: item.kind,
      process,
    };
    registrations.push(registration);
    const fields = [
      `id: ${JSON.stringify(registration.id)}`,
      'moduleUrl: import.meta.url',
      `exportName: ${JSON.stringify(registration.exportName)}`,
    ];
    if (options.workerModuleSuffix !== null) {
      // The sibling file the CLI emits from this module's 'worker-module' output.
      const url = JSON.stringify(`./${path.basename.replace(/\.[^.]*$/, '')}${options.workerModuleSuffix}`);
      fields.push(`workerModuleUrl: new URL(${url}, import.meta.url).href`);
    }
    // Processes and functions (a pool spawns its workers from the first registration it maps); not plain data classes.
    // Every module names the same worker entry, so a build bundles the runtime once: the worker loads
    // this module's code on demand.
    if (options.browserWorkers && (process || item.kind === 'function')) {
      const url = JSON.stringify(workerEntryUrl(path.relative));
      // The registration id as the worker's name: it shows in devtools, and the worker starts loading
      // this module's code from it at once, while the parent is still preparing the first call.
      const workerName = JSON.stringify(registration.id);
      // Bundlers only recognise this exact literal shape as a worker entry: keep it literal.
      fields.push(`browserWorker: () => new Worker(new URL(${url}, import.meta.url), { type: "module", name: ${workerName} })`);
    }
    s.appendLeft(item.statement.getEnd(), `\n${REGISTER}(${name}, { ${fields.join(', ')} });`);
  }
  if (registrations.length > 0) {
    const importLine = `import { register as ${REGISTER} } from ${JSON.stringify(options.runtimeModule)};\n`;
    // After a shebang, which must stay the first line. appendLeft(0) lands in the string's
    // intro, which survives the removals of the worker-module pass.
    const shebang = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
    if (shebang > 0) s.appendLeft(shebang, importLine);
    else s.prepend(importLine);
  }
  return registrations;
}

/** Remove `[start, end)` and the whitespace after it, so `@sk()\nexport class` becomes `export class`. */
function removeDecorator(s: MagicString, code: string, start: number, end: number): void {
  let stop = end;
  while (stop < code.length && /\s/.test(code[stop] ?? '')) stop++;
  s.remove(start, stop);
}

/** `base`, or `base1`, `base2`… : the first that does not occur in `code` (the same answer for the same code). */
export function freshName(code: string, base: string): string {
  let name = base;
  for (let i = 1; code.includes(name); i++) name = `${base}${i}`;
  return name;
}

/**
 * Whether the class's `extends` chain, followed through classes of this file, reaches
 * `Skprocess` from `@suitkaise/core`. A base imported from another module, or one we cannot
 * see through (a mixin call, a variable), counts as a process: a needless worker thunk costs a
 * chunk, a missing one breaks `start()` in the browser.
 */
export function isProcess(node: ClassDeclaration | ClassExpression, seen: Set<Node>): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  const base = node.getExtends()?.getExpression();
  return base !== undefined && baseIsProcess(base, seen);
}

function baseIsProcess(base: Node, seen: Set<Node>): boolean {
  if (isCoreExport(base, 'Skprocess')) return true;
  if (Node.isParenthesizedExpression(base)) return baseIsProcess(base.getExpression(), seen);
  if (Node.isClassExpression(base)) return isProcess(base, seen);
  if (Node.isNullLiteral(base)) return false;
  if (Node.isIdentifier(base)) {
    const binding = bindingOf(base);
    if (binding.kind === 'global') return false;
    if (binding.kind === 'import') return binding.module !== CORE_MODULE;
    for (const declaration of binding.declarations) {
      if (Node.isClassDeclaration(declaration)) return isProcess(declaration, seen);
      if (Node.isVariableDeclaration(declaration)) {
        const initializer = declaration.getInitializer();
        if (initializer !== undefined && Node.isClassExpression(initializer)) return isProcess(initializer, seen);
      }
    }
    return true;
  }
  if (Node.isPropertyAccessExpression(base)) {
    const target = base.getExpression();
    if (Node.isIdentifier(target)) {
      const binding = bindingOf(target);
      if (binding.kind === 'import' && binding.module === CORE_MODULE) return false;
    }
    return true;
  }
  return true;
}
