/**
 * The Share pass (find + rewrite, pure): a read-modify-write of a property of a value typed
 * `Share` (see share-receiver.ts) becomes one `R.update(key, fn)` call, which runs `fn` under
 * the Share's lock on the property's current value, stores what it returns and returns it:
 *
 * | source | output |
 * | --- | --- |
 * | `R.x += 1` (a literal operand) | `R.update("x", (__sk_v) => __sk_v + 1)` |
 * | `R.x -= E` (any arithmetic or bitwise operator) | `R.update("x", ((__sk_r) => (__sk_v) => __sk_v - __sk_r)(E))` |
 * | `R.x ||= E` (`&&=`, `??=`) | `R.update("x", (__sk_v) => __sk_v \|\| E)` (E in parentheses unless it is a primary expression) |
 * | `R.x = R.x * E` | as `R.x *= E` |
 * | `++R.x`, `R.x++` whose value is unused | `R.update("x", (__sk_v) => ++__sk_v)` |
 * | `R.x++` whose value is used | `((__sk_o) => (R.update("x", (__sk_v) => (__sk_o = __sk_v++, __sk_v)), __sk_o))()` |
 * | `R[k] += E` | `R.update(\`${k}\`, ...)` (a string literal key stays as it is, a number literal becomes its string) |
 *
 * Evaluation order is kept: R, then the key, then E, then the atomic read-modify-write. An
 * arithmetic operand E runs once, before `update`, so no user code runs under the lock (and
 * `await`/`yield` in it still work); a logical operand keeps short-circuiting, so it runs inside
 * the callback (storing the unchanged value back when it short-circuits), and when it contains
 * `await` or `yield` the assignment is left as it is (not atomic). The temporaries' names are
 * fresh for the module, so they never shadow a name the operand reads.
 *
 * Only receivers the module declares as a `Share` are rewritten (share-receiver.ts says which);
 * anything else (a Share reached through destructuring, an inferred type, `any`, a property of
 * a property) stays a plain read then write: call `share.update(key, fn)` for those.
 *
 * Edits go through magic-string, with source text (R, k, E) kept in place: the map stays exact,
 * and every insertion lands inside the expression's range, so the worker-module pass can still
 * remove a whole statement around it.
 */
import type MagicString from 'magic-string';
import { ts, type SourceFile } from 'ts-morph';
import { freshName } from './rewrite.ts';
import { isPlainReceiver, isShareReceiver, mayUseShare } from './share-receiver.ts';

/** A property of a Share, as written: `R.x` or `R[k]`. */
export type ShareTarget = ts.PropertyAccessExpression | ts.ElementAccessExpression;

/** One read-modify-write of a Share's property. */
export interface ShareUpdate {
  /** The whole expression that is replaced. */
  node: ts.Expression;
  /** The property read and written. */
  target: ShareTarget;
  /** `'compound'` for `R.x op= E` and `R.x = R.x op E`; `'increment'` for `++`/`--` whose old value is not read; `'postfix'` when it is. */
  kind: 'compound' | 'increment' | 'postfix';
  /** The binary operator (`'+'`, `'??'`...), or `'++'` / `'--'`. */
  operator: string;
  /** E, for `'compound'`. */
  operand?: ts.Expression;
}

const LOGICAL = new Set(['&&', '||', '??']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '**', '<<', '>>', '>>>', '&', '|', '^']);

/**
 * Find the module's read-modify-writes on properties of values typed `Share`, innermost first
 * (the order {@link rewriteShareUpdates} needs for nested ones).
 */
export function findShareUpdates(file: SourceFile): ShareUpdate[] {
  if (!mayUseShare(file)) return [];
  const found: ShareUpdate[] = [];
  const visit = (node: ts.Node): void => {
    ts.forEachChild(node, visit);
    const update = candidateOf(node, file.compilerNode);
    if (update !== undefined && isPlainReceiver(update.target.expression) && rewritable(update)
      && isShareReceiver(file, update.target.expression)) {
      found.push(update);
    }
  };
  visit(file.compilerNode);
  return found;
}

/** The read-modify-write `node` would be if its receiver is a Share (syntax only). */
function candidateOf(node: ts.Node, source: ts.SourceFile): ShareUpdate | undefined {
  if (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) {
    const operator = node.operator === ts.SyntaxKind.PlusPlusToken ? '++' : node.operator === ts.SyntaxKind.MinusMinusToken ? '--' : undefined;
    if (operator === undefined || !isTarget(node.operand)) return undefined;
    const kind = ts.isPostfixUnaryExpression(node) && !valueUnused(node) ? 'postfix' : 'increment';
    return { node, target: node.operand, kind, operator };
  }
  if (!ts.isBinaryExpression(node) || !isTarget(node.left)) return undefined;
  const token = ts.tokenToString(node.operatorToken.kind) ?? '';
  if (token === '=') {
    const right = skipParentheses(node.right);
    if (!ts.isBinaryExpression(right) || !isOperator(ts.tokenToString(right.operatorToken.kind))) return undefined;
    if (!sameTarget(node.left, skipParentheses(right.left), source)) return undefined;
    return { node, target: node.left, kind: 'compound', operator: ts.tokenToString(right.operatorToken.kind) ?? '', operand: right.right };
  }
  const kind = node.operatorToken.kind;
  if (kind < ts.SyntaxKind.FirstCompoundAssignment || kind > ts.SyntaxKind.LastCompoundAssignment) return undefined;
  const operator = token.slice(0, -1);
  if (!isOperator(operator)) return undefined;
  return { node, target: node.left, kind: 'compound', operator, operand: node.right };
}

function isOperator(operator: string | undefined): operator is string {
  return operator !== undefined && (ARITHMETIC.has(operator) || LOGICAL.has(operator));
}

/** `R.x` (not `R.#x`) or `R[k]`, not in an optional chain. */
function isTarget(node: ts.Expression): node is ShareTarget {
  if (ts.isPropertyAccessExpression(node)) return ts.isIdentifier(node.name) && node.questionDotToken === undefined;
  return ts.isElementAccessExpression(node) && node.questionDotToken === undefined;
}

/** `R.x` and `R.x`, or `R[k]` and `R[k]` with a literal or identifier `k`: the same text. */
function sameTarget(left: ShareTarget, right: ts.Expression, source: ts.SourceFile): boolean {
  if (!isTarget(right) || left.kind !== right.kind || left.expression.getText(source) !== right.expression.getText(source)) return false;
  if (ts.isPropertyAccessExpression(left) && ts.isPropertyAccessExpression(right)) return left.name.text === right.name.text;
  if (!ts.isElementAccessExpression(left) || !ts.isElementAccessExpression(right)) return false;
  const key = left.argumentExpression;
  const simple = ts.isIdentifier(key) || ts.isStringLiteralLike(key) || ts.isNumericLiteral(key);
  return simple && key.getText(source) === right.argumentExpression.getText(source);
}

function skipParentheses(node: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(node) ? skipParentheses(node.expression) : node;
}

/** The expression's value is thrown away: a statement, a `for` initializer or incrementor, `void`, a comma's left side. */
function valueUnused(node: ts.Node): boolean {
  let child = node;
  let parent = node.parent;
  while (ts.isParenthesizedExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return true;
  if (ts.isForStatement(parent)) return parent.initializer === child || parent.incrementor === child;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    return parent.left === child || valueUnused(parent);
  }
  return false;
}

/** Code that moves into a callback must not `await` or `yield` (it would change meaning or not parse). */
function rewritable(update: ShareUpdate): boolean {
  const key = ts.isElementAccessExpression(update.target) ? update.target.argumentExpression : undefined;
  if (update.kind === 'postfix') return key === undefined || !suspends(key);
  if (update.kind === 'compound' && LOGICAL.has(update.operator) && update.operand !== undefined) return !suspends(update.operand);
  return true;
}

/** Whether `node` contains an `await` or `yield` of the function it is in. */
function suspends(node: ts.Node): boolean {
  if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  return ts.forEachChild(node, suspends) === true;
}

/** The temporaries' names, fresh for the module. */
interface Names { value: string; operand: string; old: string }

/** Apply the found updates to `s` (in the order found: inner before outer). */
export function rewriteShareUpdates(s: MagicString, code: string, source: SourceFile, found: readonly ShareUpdate[]): void {
  if (found.length === 0) return;
  const names: Names = { value: freshName(code, '__sk_v'), operand: freshName(code, '__sk_r'), old: freshName(code, '__sk_o') };
  for (const update of found) rewriteOne(s, source.compilerNode, update, names);
}

function rewriteOne(s: MagicString, source: ts.SourceFile, update: ShareUpdate, names: Names): void {
  const { node, target, operand } = update;
  const v = names.value;
  if (update.kind === 'compound' && operand !== undefined) {
    const [head, tail] = compoundCallback(update.operator, operand, names);
    const operandStart = operand.getStart(source);
    openUpdate(s, source, target, operandStart, head);
    if (node.end > operand.end) s.overwrite(operand.end, node.end, `${tail})`);
    else s.appendLeft(operand.end, `${tail})`);
    return;
  }
  const step = update.operator;
  if (ts.isPrefixUnaryExpression(node)) s.remove(node.getStart(source), target.getStart(source));
  if (update.kind === 'increment') {
    openUpdate(s, source, target, node.end, `(${v}) => ${step}${v})`);
    return;
  }
  const o = names.old;
  s.appendRight(target.getStart(source), `${startsStatement(node, source) ? ';' : ''}((${o}) => (`);
  openUpdate(s, source, target, node.end, `(${v}) => (${o} = ${v}${step}, ${v})), ${o}))()`);
}

/**
 * Replace what lies between the receiver and `end` with `.update(<key>, ` + `callback`, keeping
 * a computed key's source in place (converted to a string).
 */
function openUpdate(s: MagicString, source: ts.SourceFile, target: ShareTarget, end: number, callback: string): void {
  const receiverEnd = target.expression.end;
  if (ts.isPropertyAccessExpression(target)) {
    s.overwrite(receiverEnd, end, `.update(${JSON.stringify(target.name.text)}, ${callback}`);
    return;
  }
  const key = target.argumentExpression;
  const keyStart = key.getStart(source);
  if (ts.isStringLiteralLike(key)) {
    s.overwrite(receiverEnd, keyStart, '.update(');
    s.overwrite(key.end, end, `, ${callback}`);
  } else if (ts.isNumericLiteral(key)) {
    s.overwrite(receiverEnd, key.end, `.update(${JSON.stringify(String(Number(key.text)))}`);
    s.overwrite(key.end, end, `, ${callback}`);
  } else {
    s.overwrite(receiverEnd, keyStart, '.update(`${');
    s.overwrite(key.end, end, `}\`, ${callback}`);
  }
}

/** The callback's text before and after the operand E, whose source stays in place between them. */
function compoundCallback(operator: string, operand: ts.Expression, names: Names): [string, string] {
  const { value: v, operand: r } = names;
  if (LOGICAL.has(operator)) {
    return isPrimary(operand) ? [`(${v}) => ${v} ${operator} `, ''] : [`(${v}) => ${v} ${operator} (`, ')'];
  }
  if (isLiteral(operand)) return [`(${v}) => ${v} ${operator} `, ''];
  return [`((${r}) => (${v}) => ${v} ${operator} ${r})(`, ')'];
}

/** A literal: evaluating it inside the callback runs no user code. */
function isLiteral(node: ts.Expression): boolean {
  return ts.isNumericLiteral(node) || ts.isBigIntLiteral(node) || ts.isStringLiteralLike(node)
    || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword;
}

/** Binds tighter than any binary operator: safe as `v || E` without parentheses. */
function isPrimary(node: ts.Expression): boolean {
  return isLiteral(node) || ts.isIdentifier(node) || ts.isParenthesizedExpression(node) || ts.isArrayLiteralExpression(node)
    || ts.isObjectLiteralExpression(node) || ts.isTemplateExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword
    || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)
    || ts.isNewExpression(node) || ts.isNonNullExpression(node);
}

/**
 * Whether the expression starts an expression statement in a statement list, where a leading
 * `(` would continue the previous statement if that one has no semicolon.
 */
function startsStatement(node: ts.Node, source: ts.SourceFile): boolean {
  const start = node.getStart(source);
  for (let current: ts.Node = node; ; current = current.parent) {
    const parent = current.parent;
    if (parent === undefined || parent.getStart(source) !== start) return false;
    if (ts.isExpressionStatement(parent)) {
      const list = parent.parent;
      return ts.isBlock(list) || ts.isSourceFile(list) || ts.isModuleBlock(list) || ts.isCaseOrDefaultClause(list);
    }
  }
}
