/**
 * What an identifier refers to, resolved with the checker of the one-file project: an import
 * (from which module, under which exported name), a declaration in this file, or nothing
 * (a global). Aliases (`import { sk as mark }`) and shadowing come out right for free.
 */
import { Node, type Identifier } from 'ts-morph';
import { CORE_MODULE } from './types.ts';

/** An identifier's binding. */
export type Binding =
  /** `imported` is the exported name, `'default'` for a default import, `'*'` for a namespace import. */
  | { kind: 'import'; module: string; imported: string; typeOnly: boolean }
  | { kind: 'local'; declarations: Node[] }
  | { kind: 'global' };

/** Resolve `identifier` to its binding (a shorthand `{ x }` resolves to the value `x`). */
export function bindingOf(identifier: Identifier): Binding {
  const parent = identifier.getParent();
  const symbol = Node.isShorthandPropertyAssignment(parent)
    ? parent.getValueSymbol()
    : identifier.getSymbol();
  const declarations = symbol?.getDeclarations() ?? [];
  const first = declarations[0];
  if (first === undefined) return { kind: 'global' };
  if (Node.isImportSpecifier(first)) {
    const declaration = first.getImportDeclaration();
    const imported = first.compilerNode.propertyName ?? first.compilerNode.name;
    return {
      kind: 'import',
      module: declaration.getModuleSpecifierValue(),
      imported: imported.text,
      typeOnly: declaration.isTypeOnly() || first.isTypeOnly(),
    };
  }
  if (Node.isImportClause(first) || Node.isNamespaceImport(first)) {
    const clause = Node.isImportClause(first) ? first : first.getParent();
    const declaration = clause.getParent();
    if (Node.isImportDeclaration(declaration)) {
      const imported = Node.isImportClause(first) ? 'default' : '*';
      return { kind: 'import', module: declaration.getModuleSpecifierValue(), imported, typeOnly: clause.isTypeOnly() };
    }
  }
  if (Node.isImportEqualsDeclaration(first)) {
    return { kind: 'import', module: first.getModuleReference().getText(), imported: '*', typeOnly: first.isTypeOnly() };
  }
  return { kind: 'local', declarations };
}

/**
 * Whether `expression` names `exported` of `@suitkaise/core`: an identifier bound to
 * `import { exported [as alias] } from '@suitkaise/core'`, or `ns.exported` where `ns` is
 * `import * as ns from '@suitkaise/core'`.
 */
export function isCoreExport(expression: Node, exported: string): boolean {
  if (Node.isIdentifier(expression)) {
    const binding = bindingOf(expression);
    return binding.kind === 'import' && !binding.typeOnly && binding.module === CORE_MODULE && binding.imported === exported;
  }
  if (Node.isPropertyAccessExpression(expression) && expression.getName() === exported) {
    const target = expression.getExpression();
    if (!Node.isIdentifier(target)) return false;
    const binding = bindingOf(target);
    return binding.kind === 'import' && !binding.typeOnly && binding.module === CORE_MODULE && binding.imported === '*';
  }
  return false;
}
