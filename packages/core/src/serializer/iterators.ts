/**
 * Iterators and generators cross a worker boundary as their remaining values, as the
 * seed does: `toState` drains the iterator (so the ORIGINAL IS EXHAUSTED afterwards,
 * and a generator's code runs to its end on the sending side), and the receiver gets a
 * plain iterator over those values, `values[Symbol.iterator]()`, which is also
 * iterable. A generator's `return`/`throw` behaviour and any code after its last
 * `yield` do not travel: only the values it yielded.
 *
 * Covered: Array, Map, Set, String and RegExp string (`matchAll`) iterators, generator
 * objects, and where the engine has them iterator helpers (`it.map(f)`),
 * `Iterator.from` wrappers and `Intl.Segmenter` segment iterators. Async generators
 * and async iterators are refused by the classifier ("await-collect it first").
 */
import type { Codec } from './codecs.ts';

/** The id the iterator codec is registered under (the same on both sides). */
export const ITERATOR_CODEC_ID = 'cucumber:iterator';

/**
 * How many values an iterator may yield before it is taken for an endless one and
 * refused (`toState` throws, so `serialize` raises a SerializationError naming it).
 */
export const MAX_ITERATOR_VALUES = 1 << 24;

type AnyIterator = Iterator<unknown>;

/** Built-in iterator prototypes, found from live iterators (no engine-internal globals needed). */
function builtinIteratorPrototypes(): Set<object> {
  const protos = new Set<object>();
  const add = (make: () => unknown): void => {
    try {
      const it = make();
      const proto = typeof it === 'object' && it !== null ? (Object.getPrototypeOf(it) as object | null) : null;
      if (proto !== null) protos.add(proto);
    } catch {
      // This engine does not have that kind of iterator.
    }
  };
  add(() => [][Symbol.iterator]());
  add(() => new Map()[Symbol.iterator]());
  add(() => new Set()[Symbol.iterator]());
  add(() => ''[Symbol.iterator]());
  add(() => /(?:)/g[Symbol.matchAll](''));
  // %GeneratorPrototype%: every generator object has it two steps up its chain.
  protos.add(Object.getPrototypeOf((function* () {}).prototype) as object);
  const iteratorGlobal = (globalThis as { Iterator?: { from?: (it: object) => unknown } }).Iterator;
  add(() => (iteratorGlobal?.from ? iteratorGlobal.from({ next: () => ({ done: true, value: undefined }) }) : null));
  add(() => ([][Symbol.iterator]() as unknown as { map?: (f: (v: unknown) => unknown) => unknown }).map?.((v) => v));
  add(() => {
    const Segmenter = (Intl as { Segmenter?: new () => { segment(s: string): Iterable<unknown> } }).Segmenter;
    return Segmenter ? new Segmenter().segment('')[Symbol.iterator]() : null;
  });
  return protos;
}

let prototypes: Set<object> | null = null;

/** Whether `value` is a built-in iterator or a generator object (decided by its prototype chain). */
export function isBuiltinIterator(value: object): boolean {
  prototypes ??= builtinIteratorPrototypes();
  for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (prototypes.has(proto)) return true;
  }
  return false;
}

/** Drain `it`: its remaining values, in order. Exhausts `it`. */
export function drain(it: AnyIterator): unknown[] {
  const values: unknown[] = [];
  for (;;) {
    const step = it.next();
    if (step.done) return values;
    if (values.length >= MAX_ITERATOR_VALUES) {
      throw new RangeError(
        `the iterator yielded more than ${MAX_ITERATOR_VALUES} values and may never end: ` +
          'collect the values you mean to send into an array (Array.from(it)) and send that',
      );
    }
    values.push(step.value);
  }
}

/** An iterator over `values` that is also iterable: what arrives where an iterator was sent. */
export function iteratorOver(values: unknown): IterableIterator<unknown> {
  if (!Array.isArray(values)) throw new TypeError('the state of an iterator is not an array of values');
  return Array.prototype.values.call(values) as IterableIterator<unknown>;
}

/**
 * The codec that sends built-in iterators and generator objects as their remaining values
 * (draining the original) and rebuilds them as an iterator over those values.
 */
export const iteratorCodec: Codec<AnyIterator, unknown[]> = {
  test: (value): value is AnyIterator => isBuiltinIterator(value),
  toState: drain,
  fromState: iteratorOver,
};
