// Pool in real workers: Node worker_threads and Chromium Web Workers (the same file runs in both projects).
import { afterAll, describe, expect, it } from 'vitest';
import { until } from './helpers/until.ts';
import { Pool, ProcessError, ResultTimeoutError, RunError, Share, onUncaught } from '@suitkaise/core';
import {
  Fallback, SlowOnce, Squarer, add, busy, crashLater, crashWhenIdle, endWorker, failOn, increment, sleepThen, spin, square, workerId,
} from './fixtures/pool-functions.ts';
import { double, doubleAndLater } from './fixtures/pool-declared.ts';
import { shout } from './fixtures/pool-more.ts';
import { IncrementProcess, newTally } from './fixtures/share-processes.ts';

const pool = new Pool({ workers: 2 });
afterAll(() => pool.terminate());

async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of results) out.push(value);
  return out;
}

async function* asyncItems<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('Pool: what can be mapped', () => {
  it('maps sk() functions, exported function declarations, async functions, from several modules', async () => {
    expect(await pool.map(square, [1, 2, 3])).toEqual([1, 4, 9]);
    expect(await doubleAndLater(pool, [1, 2])).toEqual([[2, 4], ['#1', '#2']]);
    // Registered because its module maps it; from here too.
    expect(await pool.map(double, [1, 2, 3])).toEqual([2, 4, 6]);
    expect(await pool.map(shout, ['a', 'b'])).toEqual(['A!', 'B!']);
  });

  it('maps an @sk() Skprocess class: a fresh instance per item, run to completion, __result__() per item', async () => {
    expect(await pool.map(Squarer, [1, 2, 3])).toEqual([4, 7, 12]);
    expect(await pool.unorderedMap(Squarer, [5]).then((r) => r.sort())).toEqual([28]);
    expect(await collect(pool.imap(Squarer, [0, 1]))).toEqual([3, 4]);
  });

  it("takes a process item's __error__ value as its result when it is not an Error", async () => {
    expect(await pool.map(Fallback, ['a', 'b'])).toEqual(['fallback for a', 'fallback for b']);
  });

  it('applies a process class processConfig: a section timeout terminates the worker and the item is retried with lives left', async () => {
    const attempts = new Share<{ spun: boolean }>();
    attempts.spun = false;
    expect(await pool.star().map(SlowOnce, [[0, attempts], [1, attempts], [2, attempts]])).toEqual([0, 1, 2]);
    expect(attempts.spun).toBe(true);
    expect(await pool.map(square, [4])).toEqual([16]);
  });

  it('star() spreads tuple items into the arguments, for all four methods', async () => {
    const pairs: Array<[number, number]> = [[1, 2], [3, 4], [5, 6]];
    expect(await pool.star().map(add, pairs)).toEqual([3, 7, 11]);
    expect((await pool.star().unorderedMap(add, pairs)).sort((a, b) => a - b)).toEqual([3, 7, 11]);
    expect(await collect(pool.star().imap(add, pairs))).toEqual([3, 7, 11]);
    expect((await collect(pool.star().unorderedImap(add, pairs))).sort((a, b) => a - b)).toEqual([3, 7, 11]);
  });

  it('takes arrays, any iterable, and async iterables', async () => {
    expect(await pool.map(square, new Set([2, 3]))).toEqual([4, 9]);
    expect(await pool.map(square, (function* () { yield 4; yield 5; })())).toEqual([16, 25]);
    expect(await pool.map(square, asyncItems([6, 7]))).toEqual([36, 49]);
    expect(await collect(pool.imap(square, asyncItems([1, 2, 3])))).toEqual([1, 4, 9]);
  });

  it('refuses a function that was not registered, saying what to do', async () => {
    const local = (x: number) => x;
    await expect(pool.map(local, [1])).rejects.toThrow(/cannot run in a pool worker: pass an sk\(\) function/);
  });
});

describe('Pool: order, chunking, progress', () => {
  it('unordered methods give results in completion order, ordered ones in input order', async () => {
    const items: Array<[number, number]> = [[0, 400], [1, 5]];
    expect(await pool.unorderedMap(sleepThen, items, { chunkSize: 1 })).toEqual([1, 0]);
    expect(await collect(pool.unorderedImap(sleepThen, items, { chunkSize: 1 }))).toEqual([1, 0]);
    expect(await pool.map(sleepThen, items, { chunkSize: 1 })).toEqual([0, 1]);
    expect(await collect(pool.imap(sleepThen, items, { chunkSize: 1 }))).toEqual([0, 1]);
  });

  it('chunks tiny tasks and keeps the order; onProgress reports as chunks finish', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    const progress: Array<[number, number | undefined]> = [];
    const results = await pool.map(increment, items, { onProgress: (done, total) => progress.push([done, total]) });
    expect(results).toEqual(items.map((x) => x + 1));
    // Adaptive chunks: far fewer progress calls than items, but more than one per worker.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.length).toBeLessThan(1000);
    expect(progress.at(-1)).toEqual([5000, 5000]);
    expect(progress.every(([, total]) => total === 5000)).toBe(true);
  });

  it('honours chunkSize, in order, for all four methods', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const progress: number[] = [];
    expect(await pool.map(increment, items, { chunkSize: 7, onProgress: (done) => progress.push(done) })).toEqual(items.map((x) => x + 1));
    // One call per finished chunk: ceil(100 / 7) chunks.
    expect(progress.length).toBe(15);
    expect(await collect(pool.imap(increment, items, { chunkSize: 7 }))).toEqual(items.map((x) => x + 1));
    expect((await pool.unorderedMap(increment, items, { chunkSize: 7 })).sort((a, b) => a - b)).toEqual(items.map((x) => x + 1));
  });

  it('reports total as undefined for inputs without a size', async () => {
    const totals = new Set<number | undefined>();
    await pool.map(square, asyncItems([1, 2, 3]), { onProgress: (_done, total) => totals.add(total) });
    expect([...totals]).toEqual([undefined]);
  });

  it('imap pulls an endless async generator lazily: break after 10 results, a bounded number pulled, finally runs', async () => {
    let pulled = 0;
    let finallyRan = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i += 1) {
          pulled += 1;
          yield i;
        }
      } finally {
        finallyRan = true;
      }
    }
    for (const method of ['imap', 'unorderedImap'] as const) {
      pulled = 0;
      finallyRan = false;
      const seen: number[] = [];
      for await (const value of pool[method](square, endless())) {
        seen.push(value);
        if (seen.length === 10) break;
      }
      expect(seen.length).toBe(10);
      if (method === 'imap') expect(seen).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      expect(pulled).toBeLessThan(500);
      expect(finallyRan).toBe(true);
    }
  });
});

describe('Pool: failures', () => {
  it('an item that throws rejects the call with a RunError naming the item index, the original error as cause; the pool stays usable', async () => {
    const error = await pool.map(failOn, [0, 1, 2, 3, 4], { chunkSize: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).message).toMatch(/item 3 of failOn failed: TypeError: three is not allowed/);
    expect((error as RunError).cause).toBeInstanceOf(TypeError);
    expect(((error as RunError).cause as Error & { cause: unknown }).cause).toEqual({ x: 3 });
    expect((error as RunError).originalError).toBe((error as RunError).cause);
    await expect(collect(pool.imap(failOn, [3]))).rejects.toBeInstanceOf(RunError);
    expect(await pool.map(failOn, [1, 2])).toEqual([1, 2]);
  });

  it('a worker that ends itself rejects only that call with a ProcessError, and is replaced', async () => {
    const other = pool.map(busy, [1, 2], { chunkSize: 1 });
    const error = await pool.map(endWorker, [0, 1, 2, 4], { chunkSize: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/a pool worker (exited with code 3|closed itself) while running item 2 of endWorker; it has been replaced/);
    expect(await other).toEqual([1, 2]);
    expect(await pool.map(square, [1, 2, 3, 4], { chunkSize: 1 })).toEqual([1, 4, 9, 16]);
  });

  it('an uncaught error from a timer in a worker rejects the call with a ProcessError, and the worker is replaced', async () => {
    const error = await pool.map(crashLater, [0, 1], { chunkSize: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/a pool worker crashed: .*a timer failed.* while running item 1 of crashLater/);
    expect(await pool.map(square, [5])).toEqual([25]);
  });

  it('an error a worker throws after it answered reaches onUncaught, not the void; the pool replaces that worker', async () => {
    const reported: ProcessError[] = [];
    const unsubscribe = onUncaught((error) => reported.push(error));
    try {
      expect(await pool.map(crashWhenIdle, [7])).toEqual([7]);
      await until(() => reported.length > 0, 'onUncaught to receive the stray error');
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(ProcessError);
      expect(reported[0]!.message).toMatch(/crashed: .*a timer left behind failed.* after it had answered; nothing was waiting for it/);
      expect(await pool.map(square, [3, 4], { chunkSize: 1 })).toEqual([9, 16]);
    } finally {
      unsubscribe();
    }
  });

  it('{ signal }: running items are stopped (even while (true) {}), queued ones never start, the call rejects with the reason', async () => {
    const controller = new AbortController();
    let pulled = 0;
    function* items(): Generator<number> {
      for (let i = 0; i < 1000; i += 1) {
        pulled += 1;
        yield i;
      }
    }
    const call = pool.map(spin, items(), { signal: controller.signal, chunkSize: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the spins start: nothing outside the worker can see that
    const reason = new Error('enough');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    const pulledAtAbort = pulled;
    expect(pulledAtAbort).toBeLessThan(10);
    expect(await pool.map(square, [1, 2, 3], { chunkSize: 1 })).toEqual([1, 4, 9]);
    expect(pulled).toBe(pulledAtAbort);
    // Already aborted: nothing starts.
    await expect(pool.map(square, [1], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('Pool: modifiers', () => {
  it('.timeout(ms) on map rejects with ResultTimeoutError and stops the work; the pool stays usable', async () => {
    await expect(pool.map.timeout(200)(spin, [1, 2])).rejects.toBeInstanceOf(ResultTimeoutError);
    await expect(pool.star().unorderedMap.timeout(200)(spin, [[1]])).rejects.toBeInstanceOf(ResultTimeoutError);
    expect(await pool.map.timeout(10_000)(square, [3])).toEqual([9]);
  });

  it('.timeout(ms) on imap is per result', async () => {
    const results: number[] = [];
    const error = await (async () => {
      for await (const value of pool.imap.timeout(1500)(sleepThen, [[1, 10], [2, 10], [3, 8000]] as Array<[number, number]>, { chunkSize: 1 })) {
        results.push(value);
      }
    })().catch((e: unknown) => e);
    expect(results).toEqual([1, 2]);
    expect(error).toBeInstanceOf(ResultTimeoutError);
    expect(await collect(pool.unorderedImap.timeout(5_000)(square, [2]))).toEqual([4]);
  });

  it('.background() returns a started Future (imap collects to an array); .asynced() a Promise; they compose with star()', async () => {
    const future = pool.map.background()(square, [1, 2]);
    expect(future.done).toBe(false);
    expect(await future).toEqual([1, 4]);
    expect(future.done).toBe(true);
    expect(await pool.imap.background()(square, [3])).toEqual([9]);
    expect(await pool.unorderedImap.asynced()(square, [4])).toEqual([16]);
    expect(await pool.star().imap.timeout(5_000).background()(add, [[1, 1]])).toEqual([2]);
    expect(await pool.star().map.asynced().timeout(5_000)(add, [[2, 2]])).toEqual([4]);
    const cancelled = pool.unorderedMap.background()(spin, [1]);
    cancelled.cancel();
    await expect(cancelled).rejects.toThrow(/cancelled/);
    expect(await pool.map(square, [6])).toEqual([36]);
  });
});

describe('Pool: lifecycle', () => {
  it('reuses its workers across items and calls', async () => {
    await using single = new Pool({ workers: 1 });
    const first = await single.map(workerId, [1, 2, 3], { chunkSize: 1 });
    const second = await single.map(workerId, [4]);
    expect(new Set([...first, ...second]).size).toBe(1);
  });

  it('close() waits for running work; later calls reject saying the pool is closed', async () => {
    const closing = new Pool({ workers: 2 });
    const running = closing.map(busy, [1, 2, 3], { chunkSize: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closing.close();
    expect(await running).toEqual([1, 2, 3]);
    await expect(closing.map(square, [1])).rejects.toThrow(/the pool is closed/);
    await expect(collect(closing.imap(square, [1]))).rejects.toThrow(/the pool is closed/);
  });

  it('terminate() does not wait: running calls reject with a ProcessError', async () => {
    const ending = new Pool({ workers: 1 });
    const running = ending.map(spin, [1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await ending.terminate();
    await expect(running).rejects.toThrow(/the pool was terminated/);
  });

  it('await using closes the pool at scope end', async () => {
    let escaped: Pool;
    {
      await using scoped = new Pool({ workers: 1 });
      escaped = scoped;
      expect(await scoped.map(square, [2])).toEqual([4]);
    }
    await expect(escaped.map(square, [1])).rejects.toThrow(/the pool is closed/);
  });

  it('validates its options, naming the option', async () => {
    expect(() => new Pool({ workers: 0 })).toThrow('options.workers must be a positive integer, got 0');
    await expect(pool.map(square, [1], { chunkSize: 1.5 })).rejects.toThrow('options.chunkSize must be a positive integer, got 1.5');
    await expect(pool.map(square, [1], { onProgress: 1 as never })).rejects.toThrow('options.onProgress must be a function');
    await expect(pool.map(square, 5 as never)).rejects.toThrow('items must be an array, an iterable or an async iterable');
  });
});

describe('Pool with a Share', () => {
  it("the API's example: 10 IncrementProcess items (10 runs each) through a pool of 4 give exactly 100", async () => {
    const share = newTally();
    await using four = new Pool({ workers: 4 });
    await four.map(IncrementProcess, Array(10).fill(share));
    expect(share.counter).toBe(100);
    expect(share.timer.numTimes).toBe(100);
    expect(share.seen.length).toBe(10);
  });
});
