/**
 * Pass 2, check: what cannot work in a worker. A worker gets a class or function by importing
 * its module and reading an export, so it must be a module-level export (SK001, SK002) and
 * must not need a local of an enclosing function, which only exists in the thread that ran
 * that function (SK003). An instance arrives in a worker rebuilt from its fields without its
 * constructor running, so `#private` members and `accessor` fields do not exist there (SK004)
 * unless the class sends itself through `toState()` / `static fromState()`.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import type { SkItem } from './find.ts';
import { bindingOf } from './symbols.ts';
import type { Diagnostic } from './types.ts';

/** Diagnose every found item; `file` is the module path reported in diagnostics. */
export function checkItems(items: readonly SkItem[], source: SourceFile, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (code: Diagnostic['code'], at: Node, message: string): void => {
    const { line, column } = source.getLineAndColumnAtPos(at.getStart());
    diagnostics.push({ code, severity: 'error', message, file, line, column });
  };
  for (const item of items) {
    const what = describeItem(item);
    if (item.kind === 'class') {
      const member = privateMember(item.node);
      if (member !== undefined) {
        report('SK004', member,
          `${what} has \`${member.getText().split(/[\s(=;:]/)[0]}\`: a worker rebuilds the instance from its fields without running its constructor, ` +
          'so #private members and accessor fields do not exist there; use ordinary fields, or give the class toState() and static fromState(state).');
      }
    }
    if (item.statement === undefined) {
      const scope = enclosingScope(item.node);
      const fix = item.kind === 'class'
        ? `move it to module top level and export it (\`export class ${item.name ?? 'Name'} ...\`)`
        : `move it to module top level and export it (\`export const ${item.name ?? 'name'} = sk(...)\`)`;
      const where = scope !== undefined
        ? `is declared inside ${describeScope(scope)}, not at module top level`
        : item.kind === 'class'
          ? 'is not a module-level declaration (a class expression counts only as the initializer of a top-level const)'
          : 'is not the direct initializer of a top-level const';
      report('SK002', item.marker, `${what} ${where}; a worker loads it by importing it from its module by name, so ${fix}.`);
      for (const capture of captures(item)) {
        report('SK003', capture.at,
          `${what} reads "${capture.name}", ${capture.kind === 'parameter' ? 'a parameter' : `a local ${capture.kind}`} of ${capture.owner}, which a worker cannot see; ` +
          `move "${capture.name}" to module top level or pass its value in as an argument, and move ${item.kind === 'class' ? 'the class' : 'the function'} to module top level and export it.`);
      }
    } else if (item.exportName === undefined) {
      const fix = item.kind === 'class'
        ? `\`export class ${item.name ?? 'Name'}\``
        : `\`export const ${item.name ?? 'name'} = sk(...)\``;
      report('SK001', item.marker, `${what} is not exported; a worker loads it by importing it from this module by name, so export it: ${fix}.`);
    }
  }
  return diagnostics;
}

/** The first `#private` member or `accessor` field of a class that has no toState/fromState pair. */
function privateMember(node: Node): Node | undefined {
  if (!Node.isClassDeclaration(node) && !Node.isClassExpression(node)) return undefined;
  const hasStateHook = node.getInstanceMethod('toState') !== undefined && node.getStaticMethod('fromState') !== undefined;
  if (hasStateHook) return undefined;
  for (const member of node.getMembers()) {
    const name = (member as Node).getFirstChildByKind(SyntaxKind.PrivateIdentifier);
    if (name !== undefined && name.getParent() === member) return member;
    if (Node.isPropertyDeclaration(member) && member.hasModifier(SyntaxKind.AccessorKeyword)) return member;
  }
  return undefined;
}

/** `@sk() class "Name"`, `sk() function "name"`: how messages name an item. */
export function describeItem(item: SkItem): string {
  if (item.kind === 'class') return `@sk() class ${item.name === undefined ? '(anonymous)' : `"${item.name}"`}`;
  return item.name === undefined ? 'sk() function' : `sk() function "${item.name}"`;
}

/** Kinds that open a scope whose locals a worker cannot see. */
function isScope(node: Node): boolean {
  return Node.isFunctionLikeDeclaration(node) || Node.isBlock(node) || Node.isModuleBlock(node)
    || Node.isClassStaticBlockDeclaration(node) || Node.isCaseBlock(node) || Node.isCatchClause(node)
    || Node.isForStatement(node) || Node.isForInStatement(node) || Node.isForOfStatement(node);
}

/** The innermost scope around `node` that is not the module, preferring a function over a bare block. */
function enclosingScope(node: Node): Node | undefined {
  let first: Node | undefined;
  for (let current = node.getParent(); current !== undefined && !Node.isSourceFile(current); current = current.getParent()) {
    if (Node.isFunctionLikeDeclaration(current) || Node.isClassStaticBlockDeclaration(current) || Node.isModuleBlock(current)) return current;
    if (first === undefined && isScope(current)) first = current;
  }
  return first;
}

function className(node: Node): string {
  const owner = node.getFirstAncestor((a) => Node.isClassDeclaration(a) || Node.isClassExpression(a));
  const name = owner !== undefined && (Node.isClassDeclaration(owner) || Node.isClassExpression(owner)) ? owner.getName() : undefined;
  return name ?? '(anonymous class)';
}

/** Human name of a scope, for messages: `function "setup"`, `method "App.start"`, `a block`. */
function describeScope(scope: Node): string {
  if (Node.isMethodDeclaration(scope) || Node.isGetAccessorDeclaration(scope) || Node.isSetAccessorDeclaration(scope)) {
    return `${Node.isMethodDeclaration(scope) ? 'method' : 'accessor'} "${className(scope)}.${scope.getName()}"`;
  }
  if (Node.isConstructorDeclaration(scope)) return `the constructor of "${className(scope)}"`;
  if (Node.isClassStaticBlockDeclaration(scope)) return `a static block of "${className(scope)}"`;
  if (Node.isModuleBlock(scope)) return `namespace "${scope.getParentOrThrow().getSymbol()?.getName() ?? '?'}"`;
  if (Node.isFunctionDeclaration(scope) || Node.isFunctionExpression(scope) || Node.isArrowFunction(scope)) {
    const own = Node.isArrowFunction(scope) ? undefined : scope.getName();
    const parent = scope.getParent();
    const name = own ?? (Node.isVariableDeclaration(parent) || Node.isPropertyAssignment(parent) ? parent.getName() : undefined);
    return name === undefined ? `an anonymous function (line ${scope.getStartLineNumber()})` : `function "${name}"`;
  }
  return `a block (line ${scope.getStartLineNumber()})`;
}

interface Capture { name: string; at: Node; kind: 'parameter' | 'variable' | 'function' | 'class'; owner: string }

/** Locals of enclosing scopes the item reads (first use of each name, in source order). */
function captures(item: SkItem): Capture[] {
  const found = new Map<string, Capture>();
  const root = item.node;
  const visit = (node: Node): void => {
    if (node === item.decorator) return;
    // Type positions vanish at run time; `extends X` of a class is the one value among them.
    if (Node.isTypeNode(node) && !isClassExtends(node)) return;
    if (Node.isIdentifier(node) && !found.has(node.getText())) {
      const capture = captureOf(node, root);
      if (capture !== undefined) found.set(capture.name, capture);
    }
    node.forEachChild(visit);
  };
  visit(root);
  return [...found.values()];
}

function isClassExtends(node: Node): boolean {
  const clause = node.getParent();
  return Node.isExpressionWithTypeArguments(node) && Node.isHeritageClause(clause) && clause.getToken() === SyntaxKind.ExtendsKeyword
    && (Node.isClassDeclaration(clause.getParent()) || Node.isClassExpression(clause.getParent()));
}

function captureOf(identifier: Node, root: Node): Capture | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  const parent = identifier.getParent();
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return undefined;
  const binding = bindingOf(identifier);
  if (binding.kind !== 'local') return undefined;
  for (const declaration of binding.declarations) {
    const kind = declarationKind(declaration);
    if (kind === undefined) continue;
    const inside = declaration.getStart() >= root.getStart() && declaration.getEnd() <= root.getEnd();
    if (inside || isModuleLevel(declaration)) continue;
    const scope = declarationScope(declaration);
    return { name: identifier.getText(), at: identifier, kind, owner: scope === undefined ? 'an enclosing scope' : describeScope(scope) };
  }
  return undefined;
}

function declarationKind(declaration: Node): Capture['kind'] | undefined {
  if (Node.isParameterDeclaration(declaration)) return 'parameter';
  if (Node.isBindingElement(declaration)) {
    return declaration.getFirstAncestor((a) => Node.isParameterDeclaration(a) || Node.isVariableDeclaration(a))?.getKind() === SyntaxKind.Parameter
      ? 'parameter' : 'variable';
  }
  if (Node.isVariableDeclaration(declaration) || Node.isEnumDeclaration(declaration)) return 'variable';
  if (Node.isFunctionDeclaration(declaration)) return 'function';
  if (Node.isClassDeclaration(declaration)) return 'class';
  return undefined;
}

/** Declared by a statement directly in the module (not in any function, block or loop). */
function isModuleLevel(declaration: Node): boolean {
  let node: Node | undefined = declaration;
  while (node !== undefined && (Node.isBindingElement(node) || Node.isObjectBindingPattern(node) || Node.isArrayBindingPattern(node)
    || Node.isVariableDeclaration(node) || Node.isVariableDeclarationList(node))) {
    node = node.getParent();
  }
  const statement = node !== undefined && (Node.isVariableStatement(node) || Node.isFunctionDeclaration(node)
    || Node.isClassDeclaration(node) || Node.isEnumDeclaration(node) || Node.isModuleDeclaration(node));
  return statement && Node.isSourceFile(node.getParent());
}

/** The scope a local is declared in: for a parameter, its function. */
function declarationScope(declaration: Node): Node | undefined {
  if (Node.isParameterDeclaration(declaration)) return declaration.getParent();
  return enclosingScope(declaration);
}
