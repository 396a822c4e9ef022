/**
 * The four map methods over a {@link PoolCall}, in input or completion order, and their
 * modifiers: `.timeout(ms)` (the whole call for `map`, each result for `imap`), `.background()`
 * and `.asynced()`.
 */
import { checkTimeout, modifiable, withTimeout, type AbortableCall } from '../modifiers.ts';
import type { PoolCall } from './call.ts';
import type { MapOptions, PoolItems, PoolIterate, PoolMap } from './types.ts';

/** Starts a call: what the pool gives the methods. */
export type StartCall = (signal: AbortSignal | undefined, fn: object, items: PoolItems<unknown>, options: MapOptions | undefined, lazy: boolean) => PoolCall;

type MapArgs = [fn: object, items: PoolItems<unknown>, options?: MapOptions];

/** Every result, as an array in input order or in completion order. */
async function collect(call: PoolCall, ordered: boolean): Promise<unknown[]> {
  const results: unknown[] = [];
  try {
    for (let step = await call.next(); !step.done; step = await call.next()) {
      const { start, values } = step.value;
      if (ordered) for (let i = 0; i < values.length; i += 1) results[start + i] = values[i];
      else for (const value of values) results.push(value);
    }
  } finally {
    await call.return();
  }
  return results;
}

/** Results as they come: in input order (chunks held back until their turn) or in completion order. */
async function* iterate(call: PoolCall, ordered: boolean): AsyncGenerator<unknown, void, undefined> {
  const held = new Map<number, unknown[]>();
  let next = 0;
  try {
    for (let step = await call.next(); !step.done; step = await call.next()) {
      if (!ordered) {
        for (const value of step.value.values) {
          call.consumed();
          yield value;
        }
        continue;
      }
      held.set(step.value.start, step.value.values);
      for (let values = held.get(next); values !== undefined; values = held.get(next)) {
        held.delete(next);
        next += values.length;
        for (const value of values) {
          call.consumed();
          yield value;
        }
      }
    }
  } finally {
    await call.return();
  }
}

/** Each `next()` of `inner` must settle within `ms`; past that, the iteration stops and rejects with `ResultTimeoutError`. */
function eachWithin<T>(inner: AsyncGenerator<T, void, undefined>, ms: number, what: string): AsyncGenerator<T, void, undefined> {
  const outer: AsyncGenerator<T, void, undefined> = {
    next: () => withTimeout(inner.next(), ms, what, () => void inner.return()),
    return: (value) => inner.return(value),
    throw: (error) => inner.throw(error),
    [Symbol.asyncIterator]: () => outer,
    [Symbol.asyncDispose]: async () => { await inner.return(); },
  };
  return outer;
}

/** `map` or `unorderedMap`. */
export function mapMethod<Star extends boolean>(start: StartCall, ordered: boolean): PoolMap<Star> {
  const what = ordered ? 'map()' : 'unorderedMap()';
  const call: AbortableCall<MapArgs, unknown[]> = async (signal, fn, items, options) => collect(start(signal, fn, items, options, false), ordered);
  return modifiable(call, what) as unknown as PoolMap<Star>;
}

/** `imap` or `unorderedImap`; `perResult` is the `.timeout(ms)` on each result. */
export function iterateMethod<Star extends boolean>(start: StartCall, ordered: boolean, perResult?: number): PoolIterate<Star> {
  const what = ordered ? 'imap()' : 'unorderedImap()';
  const open = (signal: AbortSignal | undefined, [fn, items, options]: MapArgs) => {
    const results = iterate(start(signal, fn, items, options, true), ordered);
    return perResult === undefined ? results : eachWithin(results, perResult, what);
  };
  const collected: AbortableCall<MapArgs, unknown[]> = async (signal, ...args) => {
    const results: unknown[] = [];
    for await (const value of open(signal, args)) results.push(value);
    return results;
  };
  const method = ((...args: MapArgs) => open(undefined, args)) as unknown as {
    timeout: unknown; background: unknown; asynced: unknown;
  };
  method.timeout = (ms: number) => {
    checkTimeout(ms);
    return iterateMethod(start, ordered, ms);
  };
  method.background = () => modifiable(collected, what).background();
  method.asynced = () => modifiable(collected, what);
  return method as unknown as PoolIterate<Star>;
}
