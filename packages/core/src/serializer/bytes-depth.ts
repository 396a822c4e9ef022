/**
 * How deep the byte form may nest. msgpackr reads recursively, so whatever `serialize` writes must
 * be readable on the stack of the thread that reads it; the smallest usual one is a main thread's
 * (V8's default limit: 984 KiB, in Node and in Chromium). Each level costs some stack when read,
 * depending on what it is and on whether it carries an id (an object met more than once, or listed
 * in a side table, is written with msgpackr's id record, which its reader resolves through one more
 * extension call). Costs below are bytes of stack per level, measured with msgpackr's reader not yet
 * optimized (its frames are largest then) on Node 20, rounded up; Chromium's are alike.
 *
 * The one-pass writer (bytes-encode.ts) writes apart what would go deeper, so it writes any depth;
 * the general path (bytes-plan.ts), whose writer is msgpackr's, refuses it.
 */

/** A record whose shape was defined before (msgpackr's `0x40-0x7f` id). */
export const RECORD_STACK = 320;
/** A record that defines its shape (`0xd4 0x72 id keys`, then the record). */
export const NEW_RECORD_STACK = 560;
/** An array or a Map. */
export const ARRAY_STACK = 240;
/** A Set (an extension around an array), and any other extension record (views, boxes, ArrayBuffers…). */
export const EXTENSION_STACK = 560;
/** More for an object that carries an id. */
export const ID_STACK = 760;
/** The outer array and the envelope record, and room for a string record at the bottom. */
export const BASE_STACK = ARRAY_STACK + NEW_RECORD_STACK + EXTENSION_STACK;
/**
 * The most a value may cost to read: about 60% of a main thread's stack, which leaves room for the
 * caller's frames and for engines whose frames are larger. Higher means fewer links (bytes-encode.ts)
 * where a graph is deep: a ring of 1000 registered instances with 3 peers each needs 470 at this
 * budget, 770 at 450 000.
 */
export const STACK_BUDGET = 600_000;

/** Distinct record shapes msgpackr gives ids to before it starts reusing them (and redefining shapes). */
const SHAPES = 64;

/** Why the general path refuses a value nested beyond {@link STACK_BUDGET}. */
export const DEEP_REASON = 'the value is nested too deeply for the byte form (msgpackr reads it recursively, and a thread ' +
  'reading it could run out of stack): flatten it, or send it in the structured-clone form';

/** The cost {@link Levels.add} takes for a record: {@link NEW_RECORD_STACK}, or less once its shape is known. */
export const SHAPED = -1;

/**
 * The objects msgpackr writes, in its order (pre-order, as it recurses), each with its parent and
 * cost. Which of them carry an id is known only at the end (a later pointer gives an earlier object
 * its id), so the exact cost is computed then, and only when the cheap bound (deepest cost, plus
 * {@link ID_STACK} per level for at most as many levels as objects carry ids) is over budget.
 */
export class Levels {
  private readonly objects: object[] = [];
  private readonly parents: number[] = [];
  private readonly costs: number[] = [];

  /** Adds `obj` under node `parent` (-1: the envelope's level); its node. */
  add(obj: object, parent: number, cost: number): number {
    this.parents.push(parent);
    this.costs.push(cost);
    return this.objects.push(obj) - 1;
  }

  /** The object of node `node`. */
  object(node: number): object {
    return this.objects[node]!;
  }

  /** The first node that costs more than {@link STACK_BUDGET} to read, given the nodes with an id; -1 when all fit. */
  overBudget(hasId: (node: number) => boolean): number {
    const { objects, parents, costs } = this;
    const total = new Float64Array(objects.length);
    const shapes = new Set<string>();
    for (let i = 0; i < objects.length; i++) {
      let cost = costs[i]!;
      if (cost === SHAPED) {
        // msgpackr defines a shape once while it has ids to spare, then may redefine any.
        const shape = Object.keys(objects[i]!).join('\u0000');
        cost = shapes.has(shape) && shapes.size <= SHAPES ? RECORD_STACK : NEW_RECORD_STACK;
        shapes.add(shape);
      }
      const parent = parents[i]!;
      total[i] = (parent < 0 ? BASE_STACK : total[parent]!) + cost + (hasId(i) ? ID_STACK : 0);
      if (total[i]! > STACK_BUDGET) return i;
    }
    return -1;
  }
}
