/**
 * Pass 2, check hook names (SK005). The engine calls a process's lifecycle hooks by name, so a
 * misspelt one (`__results__`, `__prerun`, `__onFinish__`) compiles, runs, and is never called.
 * On a class the transform treats as a process, a method named `__like_this__` that is not one
 * of the six hooks is an error, and so is one named close to a hook with a hook's underscores
 * (`__prerun`, `_postrun_`) unless the class has that hook too. Data fields and names such as
 * `_count` or `__cache` are left alone.
 */
import { Node, type ClassDeclaration, type ClassExpression, type SourceFile } from 'ts-morph';
import { describeItem } from './check.ts';
import type { SkItem } from './find.ts';
import { isProcess } from './rewrite.ts';
import type { Diagnostic } from './types.ts';

/** The lifecycle hooks the engine calls, in the order it calls them. */
export const HOOKS = ['__prerun__', '__run__', '__postrun__', '__onfinish__', '__result__', '__error__'] as const;

/** `__name__`, underscores inside allowed (`__on_finish__`). */
const DUNDER = /^__\w+__$/;
/** A hook's underscores, partly: `__name`, `__name_`, `_name_`, `_name__`. */
const HOOK_LIKE = /^(?:__[a-zA-Z]+_{0,2}|_[a-zA-Z]+_{1,2})$/;
/** Dunder names JavaScript itself gives objects. */
const LANGUAGE_DUNDERS = new Set(['__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** SK005 for every process class among `items`; `file` is the module path reported in diagnostics. */
export function checkHookNames(items: readonly SkItem[], source: SourceFile, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const item of items) {
    const node = item.node;
    if (!(Node.isClassDeclaration(node) || Node.isClassExpression(node)) || !isProcess(node, new Set())) continue;
    const defined = new Set(methods(node).map(([name]) => name));
    for (const [name, at] of methods(node)) {
      const problem = misspeltHook(name, defined);
      if (problem === undefined) continue;
      const { line, column } = source.getLineAndColumnAtPos(at.getStart());
      const guess = problem.closest === undefined ? '.' : `: did you mean ${problem.closest}?`;
      diagnostics.push({
        code: 'SK005',
        severity: 'error',
        message: `${describeItem(item)} has \`${name}\`, which is not a lifecycle hook, so nothing calls it${guess} ` +
          `The hooks are ${HOOKS.join(', ')}; rename it to one of them, or, if it is a method of your own, ` +
          'to a name that does not look like one.',
        file,
        line,
        column,
      });
    }
  }
  return diagnostics;
}

/** What a misspelt hook name is closest to (`undefined`: no hook is close), or `undefined` when the name is fine. */
export function misspeltHook(name: string, defined: ReadonlySet<string> = new Set()): { closest: string | undefined } | undefined {
  if ((HOOKS as readonly string[]).includes(name) || LANGUAGE_DUNDERS.has(name)) return undefined;
  const dunder = DUNDER.test(name);
  if (!dunder && !HOOK_LIKE.test(name)) return undefined;
  const closest = closestHook(name);
  if (dunder) return { closest };
  return closest === undefined || defined.has(closest) ? undefined : { closest };
}

/** The hook whose letters (`prerun`) are within a typo or two of the name's, ignoring case and underscores. */
function closestHook(name: string): string | undefined {
  const letters = name.replaceAll('_', '').toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const hook of HOOKS) {
    const target = hook.replaceAll('_', '');
    // `run` is short: only an exact match; `error` one typo; the longer names two.
    const allowed = target.length <= 3 ? 0 : target.length <= 5 ? 1 : 2;
    const distance = editDistance(letters, target);
    if (distance <= allowed && distance < bestDistance) [best, bestDistance] = [hook, distance];
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Instance methods, and fields holding a function, by name (identifier or string literal), with their name node. */
function methods(node: ClassDeclaration | ClassExpression): Array<[string, Node]> {
  const found: Array<[string, Node]> = [];
  for (const member of node.getMembers()) {
    if (!Node.isMethodDeclaration(member) && !Node.isPropertyDeclaration(member)) continue;
    if (member.isStatic()) continue;
    if (Node.isPropertyDeclaration(member)) {
      const initializer = member.getInitializer();
      if (initializer === undefined || !(Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) continue;
    }
    const nameNode = member.getNameNode();
    if (Node.isIdentifier(nameNode)) found.push([nameNode.getText(), nameNode]);
    else if (Node.isStringLiteral(nameNode)) found.push([nameNode.getLiteralValue(), nameNode]);
  }
  return found;
}
