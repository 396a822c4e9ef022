/**
 * Pass 2, check module state (SK101, a warning). A worker imports its own copy of the module,
 * so a module-level `let` or `var` there holds what the module starts with (the worker module
 * is even pruned of most top-level code), never what the parent assigned since, and what a
 * worker assigns stays in that worker. An `@sk()` class or `sk()` function that reads one the
 * module reassigns is warned about: it works, but likely not as meant.
 */
import { Node, ts, VariableDeclarationKind, type SourceFile } from 'ts-morph';
import { describeItem } from './check.ts';
import { wrap, type SkItem } from './find.ts';
import { bindingOf } from './symbols.ts';
import type { Diagnostic } from './types.ts';

/** A module-level `let`/`var` binding and where the module first reassigns it. */
interface MutableBinding {
  name: string;
  keyword: 'let' | 'var';
  /** First reassignment in source order; undefined while none is found. */
  reassigned?: ts.Node;
}

/** SK101 for every item that reads a module-level `let`/`var` the module reassigns. */
export function checkModuleState(items: readonly SkItem[], source: SourceFile, file: string): Diagnostic[] {
  if (items.length === 0) return [];
  const bindings = moduleBindings(source);
  if (bindings.size === 0) return [];
  findReassignments(source, bindings);
  const names = new Set([...bindings.values()].filter((b) => b.reassigned !== undefined).map((b) => b.name));
  if (names.size === 0) return [];
  const diagnostics: Diagnostic[] = [];
  for (const item of items) {
    for (const [binding, at] of reads(item, source, bindings, names)) {
      const { line, column } = source.getLineAndColumnAtPos(at.getStart(source.compilerNode));
      const assignedLine = source.getLineAndColumnAtPos(binding.reassigned!.getStart(source.compilerNode)).line;
      const fix = item.kind === 'class'
        ? 'pass the value in as state (an instance field set in the constructor travels with the instance)'
        : 'pass the value in as an argument';
      diagnostics.push({
        code: 'SK101',
        severity: 'warning',
        message: `${describeItem(item)} reads \`${binding.name}\`, a module-level \`${binding.keyword}\` that this module reassigns (line ${assignedLine}); ` +
          'each worker runs its own copy of the module, so it sees the value the module starts with, not one assigned since in the parent ' +
          `(and what a worker assigns stays in that worker). If the worker needs the current value, ${fix}, or keep it in a Share.`,
        file,
        line,
        column,
      });
    }
  }
  return diagnostics;
}

/** Module-level `let`/`var` bindings, keyed by their declaration (a VariableDeclaration or a BindingElement). */
function moduleBindings(source: SourceFile): Map<ts.Node, MutableBinding> {
  const bindings = new Map<ts.Node, MutableBinding>();
  for (const statement of source.getVariableStatements()) {
    const kind = statement.getDeclarationKind();
    if (kind === VariableDeclarationKind.Const) continue;
    const keyword = kind === VariableDeclarationKind.Var ? 'var' : 'let';
    const add = (name: ts.BindingName, declaration: ts.Node): void => {
      if (ts.isIdentifier(name)) bindings.set(declaration, { name: name.text, keyword });
      else for (const element of name.elements) if (ts.isBindingElement(element)) add(element.name, element);
    };
    for (const declaration of statement.getDeclarations()) add(declaration.compilerNode.name, declaration.compilerNode);
  }
  return bindings;
}

/** Record on each binding the first place the module assigns to it after its declaration. */
function findReassignments(source: SourceFile, bindings: Map<ts.Node, MutableBinding>): void {
  const names = new Set([...bindings.values()].map((b) => b.name));
  const mark = (target: ts.Expression): void => {
    for (const identifier of assignedIdentifiers(target)) {
      if (!names.has(identifier.text)) continue;
      const binding = bindingAt(source, identifier, bindings);
      if (binding !== undefined) binding.reassigned ??= identifier;
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment
      && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      mark(node.left);
    } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node))
      && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      mark(node.operand);
    } else if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
      mark(node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(source.compilerNode);
}

/** The identifiers an assignment target writes: `x`, `[x, y]`, `({ x, y: z, ...rest })`, `(x as T)`. */
function assignedIdentifiers(target: ts.Node): ts.Identifier[] {
  if (ts.isIdentifier(target)) return [target];
  if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target) || ts.isAsExpression(target)
    || ts.isSatisfiesExpression(target) || ts.isTypeAssertionExpression(target) || ts.isSpreadElement(target)
    || ts.isSpreadAssignment(target)) {
    return assignedIdentifiers(target.expression);
  }
  // `[x = 1] = …`: a default inside a destructuring target.
  if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) return assignedIdentifiers(target.left);
  if (ts.isArrayLiteralExpression(target)) return target.elements.flatMap(assignedIdentifiers);
  if (ts.isObjectLiteralExpression(target)) {
    return target.properties.flatMap((property) => {
      if (ts.isShorthandPropertyAssignment(property)) return [property.name];
      if (ts.isPropertyAssignment(property)) return assignedIdentifiers(property.initializer);
      if (ts.isSpreadAssignment(property)) return assignedIdentifiers(property.expression);
      return [];
    });
  }
  return [];
}

/** The module binding `identifier` refers to, if it is one of `bindings`. */
function bindingAt(source: SourceFile, identifier: ts.Identifier, bindings: Map<ts.Node, MutableBinding>): MutableBinding | undefined {
  const wrapped = wrap(source, identifier);
  if (wrapped === undefined || !Node.isIdentifier(wrapped)) return undefined;
  const binding = bindingOf(wrapped);
  if (binding.kind !== 'local') return undefined;
  for (const declaration of binding.declarations) {
    const found = bindings.get(declaration.compilerNode);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The reassigned bindings `item` reads (type positions aside), each with its first read. */
function reads(item: SkItem, source: SourceFile, bindings: Map<ts.Node, MutableBinding>, names: Set<string>): Map<MutableBinding, ts.Node> {
  const found = new Map<MutableBinding, ts.Node>();
  const skip = item.decorator?.compilerNode;
  const visit = (node: ts.Node): void => {
    if (node === skip) return;
    // Type positions vanish at run time; `extends X` of a class is the one value among them.
    if (ts.isTypeNode(node) && !isClassExtends(node)) return;
    if (ts.isIdentifier(node) && names.has(node.text)) {
      const binding = bindingAt(source, node, bindings);
      if (binding?.reassigned !== undefined && !found.has(binding)) found.set(binding, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(item.node.compilerNode);
  return found;
}

function isClassExtends(node: ts.Node): boolean {
  return ts.isExpressionWithTypeArguments(node) && ts.isHeritageClause(node.parent)
    && node.parent.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(node.parent.parent);
}
