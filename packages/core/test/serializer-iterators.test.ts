import { describe, expect, it } from 'vitest';
import { deserialize, registerClass, serialize } from '../src/serializer/index.ts';
import { caught } from './helpers/caught.ts';

/** Both forms: through a real structured clone, and through bytes. */
const forms = {
  clone: <T>(value: T): T => deserialize(structuredClone(serialize(value))) as T,
  bytes: <T>(value: T): T => deserialize(serialize(value, { bytes: true })) as T,
};


class Item {
  constructor(public n: number) {}
  twice(): number {
    return this.n * 2;
  }
}
registerClass(Item, 'test:iterators:Item');

function* counting(limit: number, log: string[]): Generator<number> {
  for (let i = 0; i < limit; i++) yield i;
  log.push('finished');
}

for (const [form, trip] of Object.entries(forms)) {
  describe(`cucumber iterators (${form} form)`, () => {
    it('sends an Array iterator as its remaining values, exhausting the original', () => {
      const it = [1, 2, 3, 4][Symbol.iterator]();
      it.next();
      const out = trip({ it });
      expect(out.it.next()).toEqual({ done: false, value: 2 });
      expect([...out.it]).toEqual([3, 4]);
      expect(out.it.next()).toEqual({ done: true, value: undefined });
      expect(it.next().done).toBe(true);
    });

    it('sends Map, Set and String iterators, in order, with what they yield', () => {
      const map = new Map<unknown, unknown>([['a', 1], [{ k: 2 }, new Date(5)]]);
      const set = new Set([-0, 'x', 3n]);
      const out = trip({ entries: map.entries(), keys: map.keys(), values: set.values(), chars: 'a😀b'[Symbol.iterator]() });
      expect([...out.entries]).toEqual([...map.entries()]);
      expect([...out.keys]).toEqual(['a', { k: 2 }]);
      const values = [...out.values];
      expect(Object.is(values[0], 0)).toBe(true); // a Set keeps -0 as +0 already
      expect(values.slice(1)).toEqual(['x', 3n]);
      expect([...out.chars]).toEqual(['a', '😀', 'b']);
    });

    it('sends a RegExp string iterator (matchAll) as its matches', () => {
      const out = trip({ matches: 'a1b22c333'.matchAll(/\d+/g) });
      const matches = [...out.matches] as unknown as Array<string[] & { index?: number }>;
      expect(matches.map((m) => [...m])).toEqual([['1'], ['22'], ['333']]);
      // Arrays' own non-index properties travel in the structured-clone form only.
      expect(matches.map((m) => m.index)).toEqual(form === 'clone' ? [1, 3, 6] : [undefined, undefined, undefined]);
    });

    it('sends a generator as its remaining values: its code runs to the end on the sending side', () => {
      const log: string[] = [];
      const gen = counting(4, log);
      gen.next();
      const out = trip({ gen, items: (function* () { yield new Item(1); yield new Item(2); })() });
      expect(log).toEqual(['finished']);
      expect(gen.next().done).toBe(true);
      expect([...out.gen]).toEqual([1, 2, 3]);
      const items = [...out.items];
      expect(items[0]).toBeInstanceOf(Item);
      expect(items.map((item) => item.twice())).toEqual([2, 4]);
    });

    it('keeps a shared iterator shared, and iterators nested in what iterators yield', () => {
      const it = [[1, 2][Symbol.iterator](), 'tail'][Symbol.iterator]();
      const out = trip({ a: it, b: it });
      expect(out.b).toBe(out.a);
      const [inner, tail] = [...out.a];
      expect([...(inner as Iterable<number>)]).toEqual([1, 2]);
      expect(tail).toBe('tail');
    });

    it('sends iterator helpers and Iterator.from wrappers where the engine has them', () => {
      const IteratorGlobal = (globalThis as { Iterator?: { from?: (it: object) => Iterator<unknown> } }).Iterator;
      const helper = ([1, 2, 3][Symbol.iterator]() as unknown as { map?: (f: (x: number) => number) => Iterator<number> }).map?.((x) => x * 10);
      if (helper) expect([...trip(helper as unknown as Iterable<number>)]).toEqual([10, 20, 30]);
      if (IteratorGlobal?.from) {
        let i = 0;
        const wrapped = IteratorGlobal.from({ next: () => (i < 2 ? { done: false, value: i++ } : { done: true, value: undefined }) });
        expect([...trip(wrapped as unknown as Iterable<number>)]).toEqual([0, 1]);
      }
    });
  });
}

describe('cucumber iterators: what fails', () => {
  it('refuses an async generator: await-collect it first, with its path', async () => {
    async function* ticks(): AsyncGenerator<number> {
      yield 1;
    }
    for (const bytes of [false, true]) {
      const error = caught(() => serialize({ feed: [ticks()] }, { bytes }));
      expect(error.path).toBe('root.feed[0]');
      expect(error.message).toMatch(/async generator.*await-collect it first/);
    }
    const values: number[] = [];
    for await (const v of ticks()) values.push(v);
    expect(deserialize(serialize(values, { bytes: true }))).toEqual([1]);
  });

  it('reports a generator that throws while it is drained, at its path', () => {
    const broken = (function* () {
      yield 1;
      throw new Error('generator broke');
    })();
    const error = caught(() => serialize({ broken }));
    expect(error.path).toBe('root.broken');
    expect((error.cause as Error).message).toBe('generator broke');
  });

  it('refuses an iterator whose remaining values refer back to it', () => {
    const holder: { it?: Iterator<unknown> } = {};
    holder.it = [holder][Symbol.iterator]();
    expect(caught(() => serialize(holder)).message).toMatch(/refers back to the instance/);
  });
});
