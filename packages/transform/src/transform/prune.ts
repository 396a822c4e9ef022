/**
 * Pass 4 (worker-module target only), prune: keep the `@sk()` classes and `sk()` functions and
 * the top-level declarations and imports they reach, drop everything else, above all the
 * module's top-level side effects (`main()`, DOM access, `describe(...)`, starting processes),
 * which must not run again in every worker that imports the module.
 *
 * References are found by name, not by scope: every identifier in a kept statement that is
 * not a property name (`a.name`, `{ name: v }`, class members, declared names) keeps the
 * top-level declarations and imports of that name. Shadowing is ignored, so a local named like
 * a top-level declaration keeps that declaration too: it may keep more than needed, never less.
 * Type positions count as references as well (kept imports used only as types are erased by
 * the compiler later). Type-only statements (interfaces, type aliases, `import type`,
 * `declare ...`) are kept as they are: they vanish at compile time.
 */
import type MagicString from 'magic-string';
import { Node, SyntaxKind, ts, type ImportDeclaration, type SourceFile, type Statement } from 'ts-morph';
import type { SkItem } from './find.ts';

/** Remove from `s` every top-level statement the items do not need. */
export function prune(s: MagicString, code: string, source: SourceFile, items: readonly SkItem[]): void {
  const statements = source.getStatements();
  const declarers = new Map<string, Statement[]>();
  const importOf = new Map<string, ImportDeclaration>();
  for (const statement of statements) {
    if (Node.isImportDeclaration(statement)) {
      if (!isTypeOnly(statement)) for (const name of importedNames(statement)) importOf.set(name, statement);
      continue;
    }
    for (const name of declaredNames(statement)) {
      const list = declarers.get(name);
      if (list === undefined) declarers.set(name, [statement]);
      else list.push(statement);
    }
  }

  const kept = new Set<Statement>();
  const keptNames = new Set<string>();
  const queue: Statement[] = [];
  const keep = (statement: Statement): void => {
    if (kept.has(statement)) return;
    kept.add(statement);
    queue.push(statement);
  };
  for (const item of items) if (item.statement !== undefined) keep(item.statement);
  // Registrations the module makes by hand (`cucumber.register(Vec, 'vec')`, codecs) and the ones
  // an earlier pass generated (`__sk_register(...)`) are what a worker imports the module for.
  for (const statement of statements) if (callsSuitkaise(statement, importOf)) keep(statement);
  while (queue.length > 0) {
    const statement = queue.pop();
    if (statement === undefined) break;
    for (const name of referencedNames(statement.compilerNode)) {
      if (keptNames.has(name)) continue;
      keptNames.add(name);
      for (const declarer of declarers.get(name) ?? []) keep(declarer);
    }
  }
  // Kept declarations are kept by name too (a root need not be referenced), for `export { Root }`.
  for (const statement of kept) for (const name of declaredNames(statement)) keptNames.add(name);

  for (const statement of statements) {
    if (kept.has(statement) || isTypeOnly(statement)) continue;
    if (Node.isImportDeclaration(statement)) {
      pruneImport(s, code, statement, keptNames);
    } else if (Node.isExportDeclaration(statement) && !statement.hasModuleSpecifier()) {
      pruneLocalExport(s, code, statement, keptNames);
    } else if (Node.isExportAssignment(statement) && !statement.isExportEquals()
      && Node.isIdentifier(statement.getExpression()) && keptNames.has(statement.getExpression().getText())) {
      continue;
    } else {
      remove(s, code, statement);
    }
  }
}

/** A top-level call statement whose callee starts at a binding imported from @suitkaise/core. */
function callsSuitkaise(statement: Statement, importOf: ReadonlyMap<string, ImportDeclaration>): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const call = statement.getExpression();
  if (!Node.isCallExpression(call)) return false;
  let callee: Node = call.getExpression();
  while (Node.isPropertyAccessExpression(callee)) callee = callee.getExpression();
  if (!Node.isIdentifier(callee)) return false;
  const from = importOf.get(callee.getText())?.getModuleSpecifierValue();
  return from === '@suitkaise/core' || from === '@suitkaise/core/internal';
}

/** Statements that vanish when compiled, kept whole. */
function isTypeOnly(statement: Statement): boolean {
  if (Node.isInterfaceDeclaration(statement) || Node.isTypeAliasDeclaration(statement)) return true;
  if (Node.isImportDeclaration(statement)) return statement.isTypeOnly();
  if (Node.isExportDeclaration(statement)) return statement.isTypeOnly();
  return Node.isAmbientable(statement) && statement.hasDeclareKeyword();
}

function importedNames(statement: ImportDeclaration): string[] {
  const names: string[] = [];
  const defaultImport = statement.getDefaultImport();
  if (defaultImport !== undefined) names.push(defaultImport.getText());
  const namespace = statement.getNamespaceImport();
  if (namespace !== undefined) names.push(namespace.getText());
  for (const specifier of statement.getNamedImports()) names.push(specifier.compilerNode.name.text);
  return names;
}

/** Value names a top-level statement declares. */
function declaredNames(statement: Statement): string[] {
  if (Node.isVariableStatement(statement)) {
    const names: string[] = [];
    for (const declaration of statement.getDeclarations()) bindingNames(declaration.compilerNode.name, names);
    return names;
  }
  if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isEnumDeclaration(statement)
    || Node.isModuleDeclaration(statement) || Node.isImportEqualsDeclaration(statement)) {
    const name = statement.compilerNode.name;
    return name !== undefined && ts.isIdentifier(name) ? [name.text] : [];
  }
  return [];
}

function bindingNames(name: ts.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) {
    into.push(name.text);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, into);
}

/** Identifiers in `node` that may refer to a top-level binding (see the module comment). */
function referencedNames(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (child: ts.Node): void => {
    if (ts.isIdentifier(child)) {
      if (isReference(child)) names.add(child.text);
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return names;
}

function isReference(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return parent.name === identifier;
  if ('name' in parent && parent.name === identifier) return false;
  if ('propertyName' in parent && parent.propertyName === identifier) return false;
  if (ts.isQualifiedName(parent) && parent.right === identifier) return false;
  return !(ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent));
}

/** Keep the referenced bindings of an import; drop it when none is (its side effects go too). */
function pruneImport(s: MagicString, code: string, statement: ImportDeclaration, keptNames: Set<string>): void {
  const clause = statement.getImportClause();
  if (clause === undefined) return; // `import 'reflect-metadata'`: a side effect the module asked for.
  const defaultImport = clause.getDefaultImport();
  const namespace = clause.getNamespaceImport();
  const named = clause.getNamedImports();
  const keepDefault = defaultImport !== undefined && keptNames.has(defaultImport.getText());
  const keepNamespace = namespace !== undefined && keptNames.has(namespace.getText());
  const keptNamed = named.filter((specifier) => keptNames.has(specifier.compilerNode.name.text));
  if (!keepDefault && !keepNamespace && keptNamed.length === 0) {
    remove(s, code, statement);
    return;
  }
  if ((defaultImport === undefined || keepDefault) && (namespace === undefined || keepNamespace) && keptNamed.length === named.length) return;
  const parts: string[] = [];
  if (keepDefault && defaultImport !== undefined) parts.push(defaultImport.getText());
  if (keepNamespace && namespace !== undefined) parts.push(`* as ${namespace.getText()}`);
  if (keptNamed.length > 0) parts.push(`{ ${keptNamed.map((specifier) => specifier.getText()).join(', ')} }`);
  s.overwrite(clause.getStart(), clause.getEnd(), parts.join(', '));
}

/** `export { a, b as c }`: keep the specifiers whose local binding survived. */
function pruneLocalExport(s: MagicString, code: string, statement: Statement, keptNames: Set<string>): void {
  if (!Node.isExportDeclaration(statement)) return;
  const specifiers = statement.getNamedExports();
  if (specifiers.length === 0) return;
  const keptSpecifiers = specifiers.filter((specifier) => {
    const local = specifier.compilerNode.propertyName ?? specifier.compilerNode.name;
    return keptNames.has(local.text);
  });
  if (keptSpecifiers.length === specifiers.length) return;
  if (keptSpecifiers.length === 0) {
    remove(s, code, statement);
    return;
  }
  const clause = statement.getFirstChildByKind(SyntaxKind.NamedExports);
  if (clause === undefined) return;
  s.overwrite(clause.getStart(), clause.getEnd(), `{ ${keptSpecifiers.map((specifier) => specifier.getText()).join(', ')} }`);
}

/** Remove a statement with its JSDoc and the rest of its line. */
function remove(s: MagicString, code: string, statement: Statement): void {
  let end = statement.getEnd();
  while (code[end] === ' ' || code[end] === '\t') end++;
  if (code[end] === '\r') end++;
  if (code[end] === '\n') end++;
  s.remove(statement.getStart(true), end);
}
