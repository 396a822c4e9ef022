/**
 * Pass 1, find: every `@sk()` / `@sk` class decorator and every `sk(...)` call whose `sk` is
 * the one imported from `@suitkaise/core`, with where it sits (top-level declaration or not)
 * and the name the module exports it under.
 */
import {
  Node,
  SyntaxKind,
  VariableDeclarationKind,
  ts,
  type CallExpression,
  type ClassDeclaration,
  type ClassExpression,
  type Decorator,
  type FunctionDeclaration,
  type SourceFile,
  type Statement,
} from 'ts-morph';
import { isCoreExport } from './symbols.ts';
import { CORE_MODULE } from './types.ts';

/** One `@sk()` class, `sk()` function, or exported function declaration the module maps with a `Pool`, found in the module. */
export interface SkItem {
  kind: 'class' | 'function';
  /** The class, the `sk(...)` call, or the function declaration. */
  node: ClassDeclaration | ClassExpression | CallExpression | FunctionDeclaration;
  /** Where diagnostics point: the decorator, the `sk(...)` call, or the function's name. */
  marker: Node;
  /** The `@sk()` decorator to remove (classes only). */
  decorator?: Decorator;
  /** The local binding the registration passes to `register`; undefined for `export default class {}`. */
  name?: string;
  /** The top-level statement declaring it; undefined when it is not a module-level declaration. */
  statement?: Statement;
  /** The export name; undefined when not exported (or not top level). */
  exportName?: string;
}

/** Find the module's `@sk()` classes and `sk()` functions, in source order. */
export function findItems(file: SourceFile): SkItem[] {
  const candidates = coreImportNames(file, 'sk');
  const exports = localExports(file);
  const items: SkItem[] = exportedFunctions(file, exports);
  if (candidates.size === 0) return items;
  // Walk the compiler's nodes (cheap) and wrap only the candidates in ts-morph nodes (not cheap).
  const visit = (node: ts.Node): void => {
    if (ts.isDecorator(node) || (ts.isCallExpression(node) && !ts.isDecorator(node.parent))) {
      const expression = ts.isDecorator(node) && ts.isCallExpression(node.expression) ? node.expression.expression : node.expression;
      if (mayBeSk(expression, candidates)) {
        const wrapped = wrap(file, node);
        const item = wrapped === undefined ? undefined
          : Node.isDecorator(wrapped) ? classItem(wrapped, exports)
          : Node.isCallExpression(wrapped) && isCoreExport(wrapped.getExpression(), 'sk') ? functionItem(wrapped, exports)
          : undefined;
        if (item !== undefined) items.push(item);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.compilerNode);
  return items.sort((a, b) => a.node.getStart() - b.node.getStart());
}

/** The `Pool` methods whose first argument is what runs in the workers. */
const POOL_METHODS = new Set(['map', 'unorderedMap', 'imap', 'unorderedImap']);

/** Names passed straight as the first argument of a `.map(…)`, `.unorderedMap(…)`, `.imap(…)` or `.unorderedImap(…)` call. */
function namesPassedToPools(file: SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && POOL_METHODS.has(node.expression.name.text)) {
      const [first] = node.arguments;
      if (first !== undefined && ts.isIdentifier(first)) names.add(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.compilerNode);
  return names;
}

/**
 * Exported top-level function declarations this module passes straight to a `Pool` method
 * (`pool.map(fib, xs)`): registered like `sk()` functions, so a pool worker can call them.
 */
function exportedFunctions(file: SourceFile, exports: Map<string, string>): SkItem[] {
  const functions = file.getFunctions();
  if (functions.length === 0) return [];
  const passed = namesPassedToPools(file);
  const items: SkItem[] = [];
  for (const node of functions) {
    const name = node.getName();
    if (name === undefined || !passed.has(name) || !node.hasBody()) continue;
    const exportName = node.isDefaultExport() ? 'default' : node.hasExportKeyword() ? name : exports.get(name);
    if (exportName === undefined) continue;
    items.push({ kind: 'function', node, marker: node.getNameNode() ?? node, name, statement: node, exportName });
  }
  return items;
}

/** The ts-morph node of a compiler node of `file` (wrapping only the nodes asked for is what keeps the passes cheap). */
export function wrap(file: SourceFile, node: ts.Node): Node | undefined {
  const found = file.getDescendantAtStartWithWidth(node.getStart(file.compilerNode), node.getWidth(file.compilerNode));
  // The deepest node of that range; ours is it or one of its ancestors of the same range.
  for (let current: Node | undefined = found; current !== undefined; current = current.getParent()) {
    if (current.compilerNode === node) return current;
  }
  return undefined;
}

/** Cheap syntactic pre-filter (`sk(...)`, `mark(...)`, `ns.sk(...)`) before asking the checker. */
function mayBeSk(expression: ts.Expression, names: Set<string>): boolean {
  if (ts.isIdentifier(expression)) return names.has(expression.text);
  return ts.isPropertyAccessExpression(expression) && expression.name.text === 'sk'
    && ts.isIdentifier(expression.expression) && names.has(expression.expression.text);
}

/** Local names an export of the core module could go by: its import aliases, and namespace imports of the module. */
export function coreImportNames(file: SourceFile, exportName: string): Set<string> {
  const names = new Set<string>();
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.getModuleSpecifierValue() !== CORE_MODULE || declaration.isTypeOnly()) continue;
    const namespace = declaration.getNamespaceImport();
    if (namespace !== undefined) names.add(namespace.getText());
    for (const specifier of declaration.getNamedImports()) {
      const imported = specifier.compilerNode.propertyName ?? specifier.compilerNode.name;
      if (imported.text === exportName && !specifier.isTypeOnly()) names.add(specifier.compilerNode.name.text);
    }
  }
  return names;
}

function classItem(decorator: Decorator, exports: Map<string, string>): SkItem | undefined {
  const expression = decorator.getExpression();
  const callee = Node.isCallExpression(expression) ? expression.getExpression() : expression;
  if (!isCoreExport(callee, 'sk')) return undefined;
  const node = decorator.getParent();
  if (Node.isClassDeclaration(node)) {
    const name = node.getName();
    const item: SkItem = { kind: 'class', node, marker: decorator, decorator, name };
    if (Node.isSourceFile(node.getParent())) {
      item.statement = node;
      item.exportName = node.isDefaultExport()
        ? 'default'
        : node.hasExportKeyword() ? name : name === undefined ? undefined : exports.get(name);
    }
    return item;
  }
  if (Node.isClassExpression(node)) {
    return { kind: 'class', node, marker: decorator, decorator, ...constInitializer(node, exports) };
  }
  // A decorator on a method, accessor or field: not something sk() registers.
  return undefined;
}

function functionItem(call: CallExpression, exports: Map<string, string>): SkItem {
  return { kind: 'function', node: call, marker: call, ...constInitializer(call, exports) };
}

/** For `export const name = <node>` at module top level: the name, statement and export name. */
function constInitializer(node: Node, exports: Map<string, string>): Pick<SkItem, 'name' | 'statement' | 'exportName'> {
  const declaration = node.getParent();
  if (!Node.isVariableDeclaration(declaration) || declaration.getInitializer() !== node) return {};
  const nameNode = declaration.getNameNode();
  if (!Node.isIdentifier(nameNode)) return {};
  const name = nameNode.getText();
  const statement = declaration.getVariableStatement();
  if (statement === undefined || !Node.isSourceFile(statement.getParent())) return { name };
  if (statement.getDeclarationKind() !== VariableDeclarationKind.Const) return { name };
  return { name, statement, exportName: statement.hasExportKeyword() ? name : exports.get(name) };
}

/**
 * Local bindings exported under another form than an `export` keyword on the declaration:
 * `export { a, b as c }` and `export default a`. First export name wins.
 */
function localExports(file: SourceFile): Map<string, string> {
  const exports = new Map<string, string>();
  for (const statement of file.getStatements()) {
    if (Node.isExportDeclaration(statement) && !statement.hasModuleSpecifier() && !statement.isTypeOnly()) {
      for (const specifier of statement.getNamedExports()) {
        if (specifier.isTypeOnly()) continue;
        const local = specifier.compilerNode.propertyName ?? specifier.compilerNode.name;
        if (!exports.has(local.text)) exports.set(local.text, specifier.compilerNode.name.text);
      }
    } else if (Node.isExportAssignment(statement) && !statement.isExportEquals()) {
      const expression = statement.getExpression();
      if (Node.isIdentifier(expression) && !exports.has(expression.getText())) exports.set(expression.getText(), 'default');
    }
  }
  return exports;
}

/** The `class` keyword of a class (where a generated name goes for `export default class {}`). */
export function classKeywordEnd(node: ClassDeclaration | ClassExpression): number {
  return node.getFirstChildByKindOrThrow(SyntaxKind.ClassKeyword).getEnd();
}
