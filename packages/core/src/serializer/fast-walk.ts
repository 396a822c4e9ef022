/**
 * The fast pre-walk of the structured-clone form (and of the byte form's general path): it
 * validates the whole graph and lists registered instances without copying or changing anything.
 * It keeps its own loop rather than the shared graph walk (walk.ts): it is the hot path, and a
 * visitor's calls per edge would slow it.
 */
import { DENSE_LIMIT } from './classify.ts';
import { ARRAY, ERROR, INTRINSIC, MAP, OBJECT, SET, STATE, UNSENDABLE, isContainer } from './kinds.ts';
import {
  CLONE_DEEP_REASON, CLONE_STACK_BUDGET, InstanceTable, checkAtom, cloneStackOf, failAt, integrityOf, kidsOf, noteLeaf,
  type WalkContext,
} from './walk.ts';

const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const ownDescriptor = Object.getOwnPropertyDescriptor;

function push(stack: unknown[], value: unknown): void {
  const type = typeof value;
  if (type === 'object' ? value !== null : type === 'function' || type === 'symbol') stack.push(value);
}

/**
 * Validate the whole graph and collect registered class instances, touching
 * nothing. Returns `null` as soon as it meets a value that must be
 * substituted (a registered function, a `Symbol.for` or well-known symbol, an
 * Error, a `toState` instance, an intrinsic) or copied (an object with an own
 * accessor, which must be read once): the substitution pass takes over from
 * scratch. No getter has run by then.
 *
 * In the structured-clone form it also sums the stack each level takes the
 * receiver (a number on the stack marks where a container's children end).
 */
export function fastWalk(ctx: WalkContext): InstanceTable | null {
  const stack: unknown[] = [];
  push(stack, ctx.root);
  const seen = new Set<object>();
  const table = new InstanceTable();
  const integrity = ctx.integrity;
  const deep = ctx.bytes !== true;
  let depth = 0; // stack the receiver's clone has taken down to here
  const pushEntry = (value: unknown, key: unknown): void => {
    push(stack, key);
    push(stack, value);
  };
  const pushMember = (value: unknown): void => push(stack, value);
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object') {
      if (typeof value === 'number') {
        depth -= value; // a container's children are done
        continue;
      }
      checkAtom(ctx, value);
      return null; // a registered function or a Symbol.for or well-known symbol
    }
    if (value === null) continue;
    const size = seen.size;
    if (seen.add(value).size === size) continue; // seen before
    const info = ctx.classify(value);
    const kind = info.kind;
    if (isContainer(kind)) {
      if (!Object.isExtensible(value)) integrity.push(value, integrityOf(value));
      if (deep) {
        const level = cloneStackOf(kind);
        depth += level;
        if (depth > CLONE_STACK_BUDGET) throw failAt(ctx, value, CLONE_DEEP_REASON);
        stack.push(level);
      }
    }
    switch (kind) {
      case OBJECT: {
        const keys = Object.keys(value);
        const start = stack.length;
        for (let i = keys.length - 1; i >= 0; i--) {
          const descriptor = ownDescriptor(value, keys[i]!);
          if (descriptor !== undefined && !('value' in descriptor)) return null; // an accessor: read once, by the copy
          push(stack, descriptor?.value);
        }
        if (start === stack.length && deep) depth -= stack.pop() as number; // nothing below it
        break;
      }
      case ARRAY: {
        const array = value as unknown[];
        if (array.length > DENSE_LIMIT) {
          const kids = kidsOf(ctx, array, ARRAY).values;
          for (let i = kids.length - 1; i >= 0; i--) push(stack, kids[i]);
        } else {
          for (let i = array.length - 1; i >= 0; i--) push(stack, array[i]);
        }
        break;
      }
      case MAP:
      case SET: {
        // Push in natural order, then reverse that stretch so it pops in natural order.
        let low = stack.length;
        if (kind === MAP) mapForEach.call(value as Map<unknown, unknown>, pushEntry);
        else setForEach.call(value as Set<unknown>, pushMember);
        for (let high = stack.length - 1; low < high; low++, high--) {
          const swap = stack[low];
          stack[low] = stack[high];
          stack[high] = swap;
        }
        break;
      }
      case UNSENDABLE:
        throw failAt(ctx, value, info.reason!);
      case ERROR:
      case STATE:
      case INTRINSIC:
        return null;
      default:
        noteLeaf(ctx, value, kind);
    }
    table.note(value, info.id, info.nullProto);
  }
  return table;
}
