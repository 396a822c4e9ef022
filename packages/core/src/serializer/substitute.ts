/**
 * The slow path, taken only when the graph holds a value structured clone
 * cannot carry as it is: a registered function, a `Symbol.for` or well-known
 * symbol, an intrinsic (`Object.prototype`), an Error (clone would drop its
 * class and own properties), a `toState` instance, or an object with an own
 * getter. Such a value is replaced by a placeholder record, and every
 * container from which one is reachable is copied (copy-on-write), and so is
 * an object with an own accessor (its copy holds what the getter returned, read
 * once); every other object is shared with the caller's graph, untouched. In
 * the structured-clone form it refuses nesting deeper than structured clone
 * recurses (walk.ts, `CLONE_STACK_BUDGET`).
 *
 * One iterative Tarjan pass finds, per strongly connected component, whether
 * a placeholder is reachable (all containers of a cycle share the answer) and
 * yields the order the receiver must rebuild in: dependencies first, so a
 * `fromState(state)` sees a finished state. A `toState` instance whose state
 * reaches the instance again has no such order, and is refused.
 */
import { PipeEndpointError, SerializationError } from '../errors.ts';
import { registrationOf } from '../runtime/registry.ts';
import { FORBIDDEN_KEYS, keyLabel, type Info } from './classify.ts';
import { errorRecord } from './error-record.ts';
import { intrinsicName } from './intrinsics.ts';
import { ARRAY, ERROR, INTRINSIC, MAP, OBJECT, SET, STATE, UNSENDABLE, isContainer, isLeaf } from './kinds.ts';
import { FORMAT, VERSION, type Envelope, type Placeholder } from './protocol.ts';
import {
  ARRAY_CLONE_STACK, CLONE_DEEP_REASON, CLONE_STACK_BUDGET, OBJECT_CLONE_STACK, checkAtom, checkErrorKeys, cloneStackOf,
  InstanceTable, failAt, integrityOf, kidsOf, locate, noteLeaf, type Kids, type WalkContext,
} from './walk.ts';

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
  /** Stack the receiver's structured clone takes down to this node. */
  readonly depth: number;
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
  return node.info.kind === ERROR || node.info.kind === STATE;
}

/** Serialize a graph that holds at least one value to substitute. */
export function substitute(ctx: WalkContext): Envelope {
  ctx.lastIndex.length = 0; // what the fast walk noted before it handed over
  ctx.integrity.length = 0;
  const pass = new Substitution(ctx);
  pass.walk();
  return pass.envelope();
}

/** One substitution pass: the Tarjan walk, then the envelope it builds. */
class Substitution {
  private readonly nodes = new Map<object, Node>();
  /** Placeholders of functions, symbols and intrinsic objects. */
  private readonly atoms = new Map<unknown, Placeholder>();
  private readonly subs: Placeholder[] = [];
  /** Nodes to emit, dependencies first. */
  private readonly order: Node[] = [];
  private readonly instances: Node[] = [];
  private readonly tarjan: Node[] = [];
  private readonly frames: Node[] = [];
  /** Objects that are not extensible. */
  private readonly locked: object[] = [];
  private counter = 0;

  constructor(private readonly ctx: WalkContext) {}

  /** Walks the whole graph depth-first, finding what to copy and the order to rebuild in. */
  walk(): void {
    const frames = this.frames;
    this.edge(undefined, this.ctx.root);
    while (frames.length > 0) {
      const node = frames[frames.length - 1]!;
      const kids = node.kids!;
      if (node.next < kids.values.length) {
        this.edge(node, kids.values[node.next++]);
        continue;
      }
      frames.pop();
      if (node.low === node.index) this.closeComponent(node);
      const parent = frames[frames.length - 1];
      if (parent) {
        if (node.onStack) parent.low = Math.min(parent.low, node.low);
        else if (node.tainted) parent.tainted = true;
      }
    }
  }

  /** The placeholder of a function, symbol or intrinsic object (one per value). */
  private atomPlaceholder(value: unknown): Placeholder {
    let placeholder = this.atoms.get(value);
    if (placeholder === undefined) {
      const key = typeof value === 'symbol' ? Symbol.keyFor(value) : undefined;
      const name = typeof value === 'function' ? undefined : intrinsicName(value);
      placeholder = key !== undefined ? { k: 'sym', key }
        : name !== undefined ? { k: 'intrinsic', name }
        : { k: 'fn', id: registrationOf(value)!.id };
      this.subs.push(placeholder);
      this.atoms.set(value, placeholder);
    }
    return placeholder;
  }

  /** Look at one edge; a new node is pushed on `frames` and walked before the parent's next edge. */
  private edge(parent: Node | undefined, child: unknown): void {
    const { ctx } = this;
    const type = typeof child;
    if (type === 'function' || type === 'symbol') {
      checkAtom(ctx, child);
      this.atomPlaceholder(child);
      if (parent) parent.direct = true;
      return;
    }
    if (type !== 'object' || child === null) return;
    const obj = child as object;
    const known = this.nodes.get(obj);
    if (known !== undefined) {
      if (parent) {
        if (isSub(known)) parent.direct = true;
        if (known.onStack) parent.low = Math.min(parent.low, known.index);
        else if (known.tainted) parent.tainted = true;
      }
      return;
    }
    const info = ctx.classify(obj);
    const kind = info.kind;
    if (kind === UNSENDABLE) throw failAt(ctx, obj, info.reason!);
    if (kind === INTRINSIC) {
      this.atomPlaceholder(obj);
      if (parent) parent.direct = true;
      return;
    }
    if (isContainer(kind) && !Object.isExtensible(obj)) this.locked.push(obj);
    if (isLeaf(kind)) {
      noteLeaf(ctx, obj, kind);
      if (info.id === undefined && info.nullProto !== true) return;
    }
    if (parent && (kind === ERROR || kind === STATE)) parent.direct = true;
    this.enter(obj, info, parent);
  }

  private enter(obj: object, info: Info, parent: Node | undefined): void {
    const { ctx } = this;
    const kind = info.kind;
    const level = kind === ERROR ? OBJECT_CLONE_STACK + ARRAY_CLONE_STACK : kind === STATE ? OBJECT_CLONE_STACK : cloneStackOf(kind);
    const depth = (parent?.depth ?? 0) + level;
    if (depth > CLONE_STACK_BUDGET && ctx.bytes !== true) throw failAt(ctx, obj, CLONE_DEEP_REASON);
    if (kind === STATE) ctx.states.set(obj, stateOf(ctx, obj, info));
    const kids = kidsOf(ctx, obj, kind);
    if (kind === ERROR) checkErrorKeys(ctx, obj as Error, kids);
    const index = this.counter++;
    const node: Node = {
      // An object with an accessor travels as a copy of what was read (structured clone would call the getter again).
      obj, info, kids, index, low: index, onStack: true, tainted: kids.accessors === true, direct: false, depth, next: 0,
    };
    this.nodes.set(obj, node);
    this.tarjan.push(node);
    this.frames.push(node);
    if ((info.id !== undefined || info.nullProto) && !isSub(node)) this.instances.push(node);
  }

  /** `node` roots a strongly connected component: pop it off Tarjan's stack, share the taint, emit it. */
  private closeComponent(node: Node): void {
    const { tarjan, order } = this;
    if (tarjan[tarjan.length - 1] === node) {
      // A component of one node (the common case).
      tarjan.pop();
      node.onStack = false;
      if (!isSub(node)) node.tainted ||= node.direct;
      if (node.tainted || isSub(node)) order.push(node);
      else node.kids = null;
      return;
    }
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
      if (m.info.kind === STATE) {
        throw failAt(this.ctx, m.obj, `toState() of the instance of '${m.info.id}' returns a value that refers back ` +
          'to the instance: fromState() could not be given a finished state; break the cycle');
      }
      if (m.tainted || isSub(m)) order.push(m);
      else m.kids = null;
    }
  }

  /** What a value of the graph is in the envelope: its placeholder, its copy, or itself. */
  private readonly map = (value: unknown): unknown => {
    const type = typeof value;
    if (type === 'function' || type === 'symbol') return this.atoms.get(value);
    if (type !== 'object' || value === null) return value;
    const node = this.nodes.get(value as object);
    return node === undefined ? (this.atoms.get(value) ?? value) : (node.placeholder ?? node.copy ?? value);
  };

  /** The envelope: shells first (cycles), then filled, dependencies first. */
  envelope(): Envelope {
    const { ctx, order, subs, map } = this;
    for (const node of order) {
      if (isSub(node)) {
        node.sub = subs.length;
        node.placeholder = node.info.kind === STATE
          ? { k: 'state', id: node.info.id!, state: undefined }
          : errorRecord(node.obj as Error, node.info.id, node.kids!.keys!);
        subs.push(node.placeholder);
        ctx.originals.set(node.placeholder, node.obj);
      } else if (node.tainted) {
        node.copy = shellOf(node);
        ctx.originals.set(node.copy, node.obj);
      }
    }
    for (const obj of this.locked) ctx.integrity.push(map(obj), integrityOf(obj));
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
    const table = new InstanceTable();
    for (const node of this.instances) table.note(node.copy ?? node.obj, node.info.id, node.info.nullProto);
    return { format: FORMAT, version: VERSION, root: map(ctx.root), classes: table.classes, instances: table.instances, subs, fix };
  }
}

/** The state a `toState` instance (or a codec's value) travels as. */
function stateOf(ctx: WalkContext, obj: object, info: Info): unknown {
  let state: unknown;
  try {
    state = info.codec ? info.codec.toState(obj) : (obj as { toState(): unknown }).toState();
  } catch (error) {
    if (error instanceof PipeEndpointError) throw error; // "this endpoint cannot be sent" is the error itself
    throw failAt(ctx, obj, `toState() of the instance of '${info.id}' threw`, error);
  }
  if (state === obj) throw failAt(ctx, obj, `toState() of the instance of '${info.id}' returned the instance itself`);
  return state;
}

/** An empty copy of a container: the class prototype does not matter, structured clone drops it. */
function shellOf(node: Node): object {
  switch (node.info.kind) {
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
  switch (node.info.kind) {
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
  if (node.info.kind === STATE) {
    (node.placeholder as { state: unknown }).state = map(values[0]);
    return;
  }
  const record = node.placeholder as unknown as { cause?: unknown; props: unknown[]; errors?: unknown };
  let i = 0;
  if (cause) record.cause = map(values[i++]);
  for (const key of keys!) record.props.push(key, map(values[i++]));
  if (errors) record.errors = map(values[i]);
}
