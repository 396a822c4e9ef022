/**
 * Which expressions are "a value typed `Share`", decided from the declarations of the one
 * module the transform sees (`@suitkaise/core` itself is not resolvable there):
 *
 * - an identifier whose variable or parameter is annotated with `Share` (or `Share<...>`, an
 *   alias `import { Share as S }`, `core.Share` of `import * as core`, a union or intersection
 *   containing it, a local `type X = Share<...>`), or is initialized with `new Share(...)`
 *   (also `... as Share`);
 * - `obj.p` / `this.p` / `this.#p` whose property `p` is declared the same way: a class field
 *   or constructor parameter property, an interface or type-literal member, an object-literal
 *   property initialized with `new Share(...)`.
 *
 * Type-only imports count (`import type { Share }`, `import { type Share }`): a type annotation
 * is all that is needed. Destructured bindings, inferred types (`const s = makeShare()`) and
 * JSDoc types are not followed.
 */
import { Node, ts, type SourceFile } from 'ts-morph';
import { wrap } from './find.ts';
import { bindingOf } from './symbols.ts';
import { CORE_MODULE } from './types.ts';

const SHARE = 'Share';
/** How many local type aliases deep `type A = B; type B = Share` is followed. */
const MAX_ALIAS_DEPTH = 8;

/**
 * Whether the module imports `Share` (type-only imports included) or a namespace of
 * `@suitkaise/core`: without either nothing in it can be typed `Share`, and the pass stops.
 */
export function mayUseShare(file: SourceFile): boolean {
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.getModuleSpecifierValue() !== CORE_MODULE) continue;
    if (declaration.getNamespaceImport() !== undefined) return true;
    for (const specifier of declaration.getNamedImports()) {
      if ((specifier.compilerNode.propertyName ?? specifier.compilerNode.name).text === SHARE) return true;
    }
  }
  return false;
}

/**
 * Whether `receiver` is side-effect free: an identifier, or a chain of property accesses
 * (`#private` ones and `!` assertions included) on an identifier or `this`. Only such
 * receivers are looked up, so evaluating one once instead of twice changes nothing.
 */
export function isPlainReceiver(receiver: ts.Expression): boolean {
  if (ts.isIdentifier(receiver)) return true;
  if (ts.isNonNullExpression(receiver)) return isPlainReceiver(receiver.expression);
  if (ts.isPropertyAccessExpression(receiver) && receiver.questionDotToken === undefined) {
    return receiver.expression.kind === ts.SyntaxKind.ThisKeyword || isPlainReceiver(receiver.expression);
  }
  return false;
}

/** Whether the plain receiver `receiver` (see {@link isPlainReceiver}) is declared as a `Share`. */
export function isShareReceiver(file: SourceFile, receiver: ts.Expression): boolean {
  if (ts.isNonNullExpression(receiver)) return isShareReceiver(file, receiver.expression);
  if (ts.isIdentifier(receiver)) {
    const identifier = wrap(file, receiver);
    if (!Node.isIdentifier(identifier)) return false;
    const binding = bindingOf(identifier);
    return binding.kind === 'local' && binding.declarations.some((declaration) => declaresShare(declaration, 0));
  }
  if (!ts.isPropertyAccessExpression(receiver)) return false;
  const declarations = wrap(file, receiver.name)?.getSymbol()?.getDeclarations() ?? [];
  return declarations.some((declaration) => declaresShare(declaration, 0));
}

/** A variable, parameter, property or member declared with a `Share` type or initializer. */
function declaresShare(declaration: Node, depth: number): boolean {
  if (Node.isVariableDeclaration(declaration) || Node.isParameterDeclaration(declaration)
    || Node.isPropertyDeclaration(declaration) || Node.isPropertySignature(declaration)) {
    const type = declaration.getTypeNode();
    if (type !== undefined && isShareType(type, depth)) return true;
    const initializer = Node.isPropertySignature(declaration) ? undefined : declaration.getInitializer();
    return initializer !== undefined && isShareValue(initializer, depth);
  }
  if (Node.isPropertyAssignment(declaration)) {
    const initializer = declaration.getInitializer();
    return initializer !== undefined && isShareValue(initializer, depth);
  }
  return false;
}

/** `new Share(...)`, `new core.Share<T>()`, `x as Share`, and those in parentheses or with `!`. */
function isShareValue(expression: Node, depth: number): boolean {
  if (Node.isNewExpression(expression)) return namesShare(expression.getExpression());
  if (Node.isParenthesizedExpression(expression) || Node.isNonNullExpression(expression)) {
    return isShareValue(expression.getExpression(), depth);
  }
  if (Node.isAsExpression(expression) || Node.isTypeAssertion(expression) || Node.isSatisfiesExpression(expression)) {
    const type = expression.getTypeNode();
    return (type !== undefined && isShareType(type, depth)) || isShareValue(expression.getExpression(), depth);
  }
  return false;
}

/** A type node that is, or contains as a union or intersection member, `Share` of the core module. */
function isShareType(type: Node, depth: number): boolean {
  if (Node.isParenthesizedTypeNode(type)) return isShareType(type.getTypeNode(), depth);
  if (Node.isUnionTypeNode(type) || Node.isIntersectionTypeNode(type)) {
    return type.getTypeNodes().some((member) => isShareType(member, depth));
  }
  if (!Node.isTypeReference(type)) return false;
  const name = type.getTypeName();
  if (namesShare(name)) return true;
  if (!Node.isIdentifier(name) || depth >= MAX_ALIAS_DEPTH) return false;
  const binding = bindingOf(name);
  if (binding.kind !== 'local') return false;
  return binding.declarations.some((declaration) => {
    if (!Node.isTypeAliasDeclaration(declaration)) return false;
    const aliased = declaration.getTypeNode();
    return aliased !== undefined && isShareType(aliased, depth + 1);
  });
}

/** `Share` / `S` (imported as `Share`) / `core.Share` (namespace import): type-only imports count. */
function namesShare(name: Node): boolean {
  if (Node.isIdentifier(name)) {
    const binding = bindingOf(name);
    return binding.kind === 'import' && binding.module === CORE_MODULE && binding.imported === SHARE;
  }
  const qualified = Node.isQualifiedName(name) ? { left: name.getLeft(), right: name.getRight().getText() }
    : Node.isPropertyAccessExpression(name) ? { left: name.getExpression(), right: name.getName() }
    : undefined;
  if (qualified === undefined || qualified.right !== SHARE || !Node.isIdentifier(qualified.left)) return false;
  const binding = bindingOf(qualified.left);
  return binding.kind === 'import' && binding.module === CORE_MODULE && binding.imported === '*';
}
