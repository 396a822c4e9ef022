// Type-level checks: `npm run typecheck` (tsc) fails if the public types stop inferring what users expect.
import { describe, expectTypeOf, it } from 'vitest';
import { Pipe, Pool, Share, Skprocess, sk, type Future, type ProcessError, type ProcessTimers, type Sktimer } from '@suitkaise/core';
import { Squarer, add } from './fixtures/pool-functions.ts';
import { later } from './fixtures/pool-declared.ts';
import { Counter, HookOrder } from './fixtures/processes.ts';

/** An sk function, at module top level and exported as the transform requires. */
export const square = sk((x: number) => x * x);

describe('public types', () => {
  it('infer results, futures and modifiers from Skprocess<R>', () => {
    const counter = new Counter(1);
    expectTypeOf(counter.result).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(counter.run).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(new HookOrder(1).result).returns.toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(counter.wait).returns.toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(counter.listen).returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(counter.result.timeout(5000)).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(counter.result.timeout(5000).background()).returns.toEqualTypeOf<Future<number>>();
    expectTypeOf(counter.wait.background()).parameters.toEqualTypeOf<[timeout?: number]>();
    expectTypeOf(counter.run.asynced().timeout(1)).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(counter.currentRun).toEqualTypeOf<number>();
    expectTypeOf(counter.timers).toEqualTypeOf<ProcessTimers | null>();
    expectTypeOf(counter.error).toEqualTypeOf<ProcessError | null>();
    expectTypeOf<ProcessTimers['run']>().toEqualTypeOf<Sktimer | null>();
    expectTypeOf<ProcessTimers['fullRun']>().toEqualTypeOf<Sktimer>();
    // @ts-expect-error result() takes no arguments
    void (() => counter.result(1));
    // @ts-expect-error .timeout needs milliseconds
    void (() => counter.result.timeout());
  });

  it('hooks are typed by Skprocess<R>: __result__ returns R or a Promise of it; override is optional', () => {
    // Declared, never decorated or started: only tsc looks at these classes.
    class Sums extends Skprocess<number> {
      __run__() {}
      async __prerun__() {}
      __result__() { return Promise.resolve(1); }
    }
    class Overrides extends Skprocess<number> {
      override __run__() {}
      override __postrun__() {}
      override __result__() { return 1; }
    }
    class Untyped extends Skprocess {
      __run__() {}
      __result__() { return 'anything'; }
    }
    class WrongResult extends Skprocess<number> {
      __run__() {}
      // @ts-expect-error __result__ of an Skprocess<number> must return number | Promise<number>
      __result__() { return 'one'; }
    }
    class WrongAsyncResult extends Skprocess<number> {
      __run__() {}
      // @ts-expect-error a Promise<string> is not a Promise<number>
      async __result__() { return 'one'; }
    }
    class WrongHookParameters extends Skprocess {
      __run__() {}
      // @ts-expect-error hooks are called without arguments
      __prerun__(times: number) { return times; }
    }
    expectTypeOf(new Sums().result).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(new Overrides().run).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(new Untyped().result).returns.toEqualTypeOf<Promise<unknown>>();
    void [WrongResult, WrongAsyncResult, WrongHookParameters];
  });

  it('listen<T>() states the message type; undefined stays possible (timeout, or finished)', () => {
    type Progress = { done: number; total: number };
    const counter = new Counter(1);
    expectTypeOf(counter.listen<Progress>).returns.toEqualTypeOf<Promise<Progress | undefined>>();
    expectTypeOf(counter.listen<Progress>).parameters.toEqualTypeOf<[timeout?: number]>();
    expectTypeOf(counter.listen.timeout(5000)<Progress>).returns.toEqualTypeOf<Promise<Progress | undefined>>();
    expectTypeOf(counter.listen.background()<Progress>).returns.toEqualTypeOf<Future<Progress | undefined>>();
    expectTypeOf(counter.listen.timeout(5).background().timeout(5)<Progress>).returns.toEqualTypeOf<Future<Progress | undefined>>();
    expectTypeOf(counter.listen.background().asynced()<Progress>).returns.toEqualTypeOf<Promise<Progress | undefined>>();
    const typeOnly = async () => {
      const progress = await counter.listen<Progress>(50);
      // @ts-expect-error listen() may resolve to undefined: narrow first
      void progress.done;
      if (progress !== undefined) expectTypeOf(progress.done).toEqualTypeOf<number>();
    };
    void typeOnly;
  });

  it('sk(fn) keeps the function type', () => {
    expectTypeOf(square).toEqualTypeOf<(x: number) => number>();
  });

  it('Share<T> has T\'s properties and its own methods; Pipe.pair gives two endpoints', () => {
    type Tally = Share<{ counter: number; seen: string[] }>;
    expectTypeOf<Tally['counter']>().toEqualTypeOf<number>();
    expectTypeOf<Tally['seen']>().toEqualTypeOf<string[]>();
    expectTypeOf<Parameters<Tally['update']>[0]>().toEqualTypeOf<'counter' | 'seen'>();
    expectTypeOf<ReturnType<Tally['stop']>>().toEqualTypeOf<Promise<boolean>>();
    expectTypeOf<ReturnType<Tally['reconnectAll']>>().toEqualTypeOf<Promise<Record<string, unknown>>>();
    expectTypeOf<Tally['isRunning']>().toEqualTypeOf<boolean>();
    const share = new Share<{ counter: number }>();
    // @ts-expect-error update() takes a key of T
    void (() => share.update('missing', (n: number) => n));
    expectTypeOf(share.update('counter', (n) => n + 1)).toEqualTypeOf<number>();
    expectTypeOf(Pipe.pair).returns.toEqualTypeOf<[anchor: Pipe, point: Pipe]>();
    expectTypeOf<Pipe['recv']>().returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf<Pipe['send']>().returns.toEqualTypeOf<void>();
  });

  it('Pool infers results from the function (awaited) or the Skprocess<R> class, and checks items', () => {
    // Checked by tsc, never called: nothing here starts a worker.
    const typeOnly = (pool: Pool) => {
      expectTypeOf(pool.map(square, [1, 2])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.unorderedMap(later, [1])).toEqualTypeOf<Promise<string[]>>();
      expectTypeOf(pool.map(Squarer, [1])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.imap(square, [1])).toEqualTypeOf<AsyncIterableIterator<number>>();
      expectTypeOf(pool.unorderedImap(later, [1])).toEqualTypeOf<AsyncIterableIterator<string>>();
      expectTypeOf(pool.star().map(add, [[1, 2]])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.map.timeout(10)(square, [1])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.map.background()(square, [1])).toEqualTypeOf<Future<number[]>>();
      expectTypeOf(pool.imap.background()(later, [1])).toEqualTypeOf<Future<string[]>>();
      expectTypeOf(pool.imap.asynced()(square, [1])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.star().unorderedImap.timeout(5).background()(add, [[1, 2]])).toEqualTypeOf<Future<number[]>>();
      expectTypeOf(pool.close()).toEqualTypeOf<Promise<void>>();
      // @ts-expect-error items must match the function's parameter
      void (() => pool.map(square, ['a']));
      // @ts-expect-error star() items are argument tuples
      void (() => pool.star().map(add, [[1, 'b']]));
      // @ts-expect-error without star(), a two-argument function takes its first argument per item
      void (() => pool.map(add, [[1, 2]]));
      // @ts-expect-error a process class's items are its constructor's argument
      void (() => pool.map(Squarer, ['x']));
      // @ts-expect-error chunkSize is a number
      void (() => pool.map(square, [1], { chunkSize: 'big' }));
    };
    expectTypeOf(typeOnly).parameter(0).toEqualTypeOf<Pool>();
  });
});
