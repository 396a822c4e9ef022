/**
 * The slow path, taken only when the graph holds a value structured clone
 * cannot carry as it is: a registered function, a `Symbol.for` symbol, an
 * Error (clone would drop its class and own properties) or a `toState`
 * instance. Such a value is replaced by a placeholder record, and every
 * container from which one is reachable is copied (copy-on-write); every
 * other object is shared with the caller's graph, untouched.
 *
 * One iterative Tarjan pass finds, per strongly connected component, whether
 * a placeholder is reachable (all containers of a cycle share the answer) and
 * yields the order the receiver must rebuild in: dependencies first, so a
 * `fromState(state)` sees a finished state. A `toState` instance whose state
 * reaches the instance again has no such order, and is refused.
 */
import { PipeEndpointError, SerializationError } from '../errors.ts';
import { registrationOf } from '../runtime/registry.ts';
import {
  ARRAY, ERROR, FORBIDDEN_KEYS, LEAF, MAP, OBJECT, SET, STATE, UNSENDABLE, keyLabel, type Info,
} from './classify.ts';
import { errorRecord } from './error-record.ts';
import { FORMAT, VERSION, type Envelope, type Placeholder } from './protocol.ts';
import { checkAtom, checkErrorKeys, failAt, kidsOf, locate, noteLeaf, type Kids, type WalkContext } from './walk.ts';

interface Node {
  readonly obj: object;
  readonly info: Info;
  /** Dropped once the node is known to be neither copied nor substituted. */
  kids: Kids | null;
  readonly index: number;
  low: number;
  onStack: boolean;
  /** Container: a placeholder is reachable from it. */
  tainted: boolean;
  /** Container: it holds a placeholder itself. */
  direct: boolean;
  copy?: object;
  placeholder?: Placeholder;
  /** Index of `placeholder` in `subs`. */
  sub?: number;
  /** Next child to look at while the node is on the walk. */
  next: number;
}

const mapSet = Map.prototype.set;
const setAdd = Set.prototype.add;

function isSub(node: Node): boolean {
  return node.info.walk === ERROR || node.info.walk === STATE;
}

/** Serialize a graph that holds at least one value to substitute. */
export function substitute(ctx: WalkContext): Envelope {
  const nodes = new Map<object, Node>();
  const atoms = new Map<unknown, Placeholder>(); // functions and symbols
  const subs: Placeholder[] = [];
  const order: Node[] = [];
  const instances: Node[] = [];
  const tarjan: Node[] = [];
  const frames: Node[] = [];
  let counter = 0;

  const atomPlaceholder = (value: unknown): Placeholder => {
    let placeholder = atoms.get(value);
    if (placeholder === undefined) {
      placeholder = typeof value === 'symbol'
        ? { k: 'sym', key: Symbol.keyFor(value)! }
        : { k: 'fn', id: registrationOf(value)!.id };
      subs.push(placeholder);
      atoms.set(value, placeholder);
    }
    return placeholder;
  };

  const enter = (obj: object, info: Info): void => {
    if (info.walk === STATE) {
      let state: unknown;
      try {
        state = info.codec ? info.codec.toState(obj) : (obj as { toState(): unknown }).toState();
      } catch (error) {
        if (error instanceof PipeEndpointError) throw error; // "this endpoint cannot be sent" is the error itself
        throw failAt(ctx, obj, `toState() of the instance of '${info.id}' threw`, error);
      }
      if (state === obj) throw failAt(ctx, obj, `toState() of the instance of '${info.id}' returned the instance itself`);
      ctx.states.set(obj, state);
    }
    const kids = kidsOf(obj, info.walk, ctx.states);
    if (info.walk === ERROR) checkErrorKeys(ctx, obj as Error, kids);
    const node: Node = {
      obj, info, kids, index: counter, low: counter, onStack: true, tainted: false, direct: false, next: 0,
    };
    counter++;
    nodes.set(obj, node);
    tarjan.push(node);
    frames.push(node);
    if ((info.id !== undefined || info.nullProto) && !isSub(node)) instances.push(node);
  };

  /** Look at one edge; a new node is pushed on `frames` and walked before the parent's next edge. */
  const edge = (parent: Node | undefined, child: unknown): void => {
    const type = typeof child;
    if (type === 'function' || type === 'symbol') {
      checkAtom(ctx, child);
      atomPlaceholder(child);
      if (parent) parent.direct = true;
      return;
    }
    if (type !== 'object' || child === null) return;
    const obj = child as object;
    const known = nodes.get(obj);
    if (known !== undefined) {
      if (parent) {
        if (isSub(known)) parent.direct = true;
        if (known.onStack) parent.low = Math.min(parent.low, known.index);
        else if (known.tainted) parent.tainted = true;
      }
      return;
    }
    const info = ctx.classify(obj);
    if (info.special !== undefined) noteLeaf(ctx, obj, info);
    if (info.walk === LEAF && info.id === undefined && info.nullProto !== true) return;
    if (info.walk === UNSENDABLE) throw failAt(ctx, obj, info.reason!);
    if (parent && (info.walk === ERROR || info.walk === STATE)) parent.direct = true;
    enter(obj, info);
  };

  edge(undefined, ctx.root);
  while (frames.length > 0) {
    const node = frames[frames.length - 1]!;
    const kids = node.kids!;
    if (node.next < kids.values.length) {
      edge(node, kids.values[node.next++]);
      continue;
    }
    frames.pop();
    if (node.low === node.index && tarjan[tarjan.length - 1] === node) {
      // A component of one node (the common case).
      tarjan.pop();
      node.onStack = false;
      if (!isSub(node)) node.tainted ||= node.direct;
      if (node.tainted || isSub(node)) order.push(node);
      else node.kids = null;
    } else if (node.low === node.index) {
      // Root of a strongly connected component: pop it, share the taint, emit it.
      const members: Node[] = [];
      let member: Node;
      do {
        member = tarjan.pop()!;
        member.onStack = false;
        members.push(member);
      } while (member !== node);
      const tainted = members.some((m) => !isSub(m) && (m.tainted || m.direct));
      for (const m of members) {
        if (!isSub(m)) m.tainted = tainted;
        if (members.length > 1 && m.info.walk === STATE) {
          throw failAt(ctx, m.obj, `toState() of the instance of '${m.info.id}' returns a value that refers back ` +
            'to the instance: fromState() could not be given a finished state; break the cycle');
        }
        if (m.tainted || isSub(m)) order.push(m);
        else m.kids = null;
      }
    }
    const parent = frames[frames.length - 1];
    if (parent) {
      if (node.onStack) parent.low = Math.min(parent.low, node.low);
      else if (node.tainted) parent.tainted = true;
    }
  }

  // Shells first (cycles), then fill.
  for (const node of order) {
    if (isSub(node)) {
      node.sub = subs.length;
      node.placeholder = node.info.walk === STATE
        ? { k: 'state', id: node.info.id!, state: undefined }
        : errorRecord(node.obj as Error, node.info.id, node.kids!.keys!);
      subs.push(node.placeholder);
    } else if (node.tainted) {
      node.copy = shellOf(node);
    }
  }
  const map = (value: unknown): unknown => {
    const type = typeof value;
    if (type === 'function' || type === 'symbol') return atoms.get(value);
    if (type !== 'object' || value === null) return value;
    const node = nodes.get(value as object);
    return node === undefined ? value : (node.placeholder ?? node.copy ?? value);
  };
  const placeholders = new Set<unknown>(subs);
  const fix: unknown[] = [];
  for (const node of order) {
    if (node.placeholder !== undefined) {
      fillPlaceholder(node, map);
      fix.push(node.sub);
    } else if (node.copy !== undefined) {
      fillCopy(ctx, node, map, placeholders);
      if (node.direct) fix.push(node.copy);
    }
  }

  const classes: string[] = [];
  const classIndex = new Map<string, number>();
  const pairs: unknown[] = [];
  for (const node of instances) {
    const id = node.info.id;
    if (id === undefined) {
      pairs.push(node.copy ?? node.obj, -1);
      continue;
    }
    let index = classIndex.get(id);
    if (index === undefined) {
      index = classes.push(id) - 1;
      classIndex.set(id, index);
    }
    pairs.push(node.copy ?? node.obj, index);
  }
  return { format: FORMAT, version: VERSION, root: map(ctx.root), classes, instances: pairs, subs, fix };
}

/** An empty copy of a container: the class prototype does not matter, structured clone drops it. */
function shellOf(node: Node): object {
  switch (node.info.walk) {
    case ARRAY:
      return new Array<unknown>((node.obj as unknown[]).length);
    case MAP:
      return new Map();
    case SET:
      return new Set();
    default:
      return Object.getPrototypeOf(node.obj) === null ? Object.create(null) as object : {};
  }
}

function fillCopy(
  ctx: WalkContext, node: Node, map: (value: unknown) => unknown, placeholders: ReadonlySet<unknown>,
): void {
  const copy = node.copy!;
  const { values, keys } = node.kids!;
  switch (node.info.walk) {
    case MAP:
      for (let i = 0; i < values.length; i += 2) mapSet.call(copy as Map<unknown, unknown>, map(values[i]), map(values[i + 1]));
      return;
    case SET:
      for (const value of values) setAdd.call(copy as Set<unknown>, map(value));
      return;
    case ARRAY:
      if (keys === null) {
        const source = node.obj as unknown[];
        const target = copy as unknown[];
        for (let i = 0; i < values.length; i++) if (i in source) target[i] = map(values[i]);
        return;
      }
    // falls through: a huge array walked by its keys
    case OBJECT:
      for (let i = 0; i < keys!.length; i++) {
        const key = keys![i]!;
        const value = map(values[i]);
        if (FORBIDDEN_KEYS.has(key)) {
          if (placeholders.has(value)) {
            throw new SerializationError(
              `a function, symbol, error or toState() instance cannot be sent under the key '${key}' ` +
                '(the receiver never writes that key): rename the key',
              locate(ctx, node.obj) + keyLabel(key),
            );
          }
          Object.defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
        } else {
          (copy as Record<string, unknown>)[key] = value;
        }
      }
      return;
    default:
  }
}

function fillPlaceholder(node: Node, map: (value: unknown) => unknown): void {
  const { values, keys, cause, errors } = node.kids!;
  if (node.info.walk === STATE) {
    (node.placeholder as { state: unknown }).state = map(values[0]);
    return;
  }
  const record = node.placeholder as unknown as { cause?: unknown; props: unknown[]; errors?: unknown };
  let i = 0;
  if (cause) record.cause = map(values[i++]);
  for (const key of keys!) record.props.push(key, map(values[i++]));
  if (errors) record.errors = map(values[i]);
}
