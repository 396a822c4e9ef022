/**
 * The `@autoreconnect(...)` pass (find + rewrite, after the `@sk()` rewrite): each class
 * decorator whose `autoreconnect` is the one from `@suitkaise/core` (aliases and namespace
 * imports included) is removed, and the class gets
 * `__sk_autoreconnect(Class, <the decorator's options>);` right after its declaration, with
 * `autoreconnect as __sk_autoreconnect` imported from `@suitkaise/core`. At run time that call
 * stores the options on the class, in every thread that imports the module, so the options
 * (and the secrets in them) never travel with a process's state.
 *
 * The call goes after the statement that declares the class (a class declaration, or a
 * `const X = class ...`), so the class keeps its name; any other class expression is wrapped
 * in the call, which returns the class.
 */
import type MagicString from 'magic-string';
import { Node, ts, type ClassDeclaration, type ClassExpression, type Decorator, type SourceFile } from 'ts-morph';
import { classKeywordEnd, coreImportNames, type SkItem } from './find.ts';
import { freshName } from './rewrite.ts';
import { isCoreExport } from './symbols.ts';
import { CORE_MODULE } from './types.ts';

/** Local name the generated code calls. */
export const AUTORECONNECT = '__sk_autoreconnect';

/** One `@autoreconnect(...)` on a class. */
export interface AutoreconnectItem {
  decorator: Decorator;
  node: ClassDeclaration | ClassExpression;
  /** The options argument, when given. */
  options?: Node;
}

/** Find the module's `@autoreconnect(...)` class decorators, in source order. */
export function findAutoreconnects(file: SourceFile): AutoreconnectItem[] {
  const names = coreImportNames(file, 'autoreconnect');
  if (names.size === 0) return [];
  const found: AutoreconnectItem[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isDecorator(node) && (ts.isClassDeclaration(node.parent) || ts.isClassExpression(node.parent))) {
      const expression = ts.isCallExpression(node.expression) ? node.expression.expression : node.expression;
      const cheap = ts.isIdentifier(expression) ? names.has(expression.text)
        : ts.isPropertyAccessExpression(expression) && expression.name.text === 'autoreconnect'
          && ts.isIdentifier(expression.expression) && names.has(expression.expression.text);
      const decorator = cheap ? wrapDecorator(file, node) : undefined;
      if (decorator !== undefined) {
        const call = decorator.getExpression();
        const callee = Node.isCallExpression(call) ? call.getExpression() : call;
        const owner = decorator.getParent();
        if (isCoreExport(callee, 'autoreconnect') && (Node.isClassDeclaration(owner) || Node.isClassExpression(owner))) {
          const options = Node.isCallExpression(call) ? call.getArguments()[0] : undefined;
          found.push({ decorator, node: owner, ...(options === undefined ? {} : { options }) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.compilerNode);
  return found;
}

function wrapDecorator(file: SourceFile, node: ts.Decorator): Decorator | undefined {
  const found = file.getDescendantAtStartWithWidth(node.getStart(file.compilerNode), node.getWidth(file.compilerNode));
  for (let current: Node | undefined = found; current !== undefined; current = current.getParent()) {
    if (current.compilerNode === node) return Node.isDecorator(current) ? current : undefined;
  }
  return undefined;
}

/**
 * Replace each found decorator with a registration call. `skItems` are the `@sk()` items the
 * sk rewrite handled: an `export default class {}` among them already got its generated name.
 */
export function rewriteAutoreconnects(s: MagicString, code: string, found: readonly AutoreconnectItem[], skItems: readonly SkItem[]): void {
  if (found.length === 0) return;
  for (const item of found) {
    let stop = item.decorator.getEnd();
    while (stop < code.length && /\s/.test(code[stop] ?? '')) stop++;
    s.remove(item.decorator.getStart(), stop);
  }
  for (const item of found) {
    const options = item.options === undefined ? '' : `, ${code.slice(item.options.getStart(), item.options.getEnd())}`;
    const { node } = item;
    if (Node.isClassDeclaration(node)) {
      let name = node.getName();
      if (name === undefined) {
        // `export default class {}`: the @sk() rewrite names it (deterministically), or we do.
        name = freshName(code, '__sk_default');
        if (!skItems.some((sk) => sk.node === node)) s.appendLeft(classKeywordEnd(node), ` ${name}`);
      }
      s.appendLeft(node.getEnd(), `\n${AUTORECONNECT}(${name}${options});`);
      continue;
    }
    const declaration = node.getParent();
    const statement = Node.isVariableDeclaration(declaration) && declaration.getInitializer() === node
      && Node.isIdentifier(declaration.getNameNode()) ? declaration.getVariableStatement() : undefined;
    if (statement !== undefined && Node.isVariableDeclaration(declaration)) {
      s.appendLeft(statement.getEnd(), `\n${AUTORECONNECT}(${declaration.getName()}${options});`);
    } else {
      s.appendLeft(item.decorator.getStart(), `${AUTORECONNECT}(`);
      s.appendRight(node.getEnd(), `${options})`);
    }
  }
  const importLine = `import { autoreconnect as ${AUTORECONNECT} } from ${JSON.stringify(CORE_MODULE)};\n`;
  const shebang = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
  if (shebang > 0) s.appendLeft(shebang, importLine);
  else s.prepend(importLine);
}
