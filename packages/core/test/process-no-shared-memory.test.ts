// The fallback for pages that are not cross-origin isolated: no shared control block, so stop,
// progress and timeouts travel as messages. This file pretends isolation is off (each test file
// runs in its own context, so nothing else sees it).
import { describe, expect, it } from 'vitest';
import { ProcessTimeoutError, Share } from '@suitkaise/core';
import { Endless, Flaky, Waiter } from './fixtures/processes.ts';
import { until } from './helpers/until.ts';

Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false, configurable: true });

describe('without shared memory', () => {
  it('currentRun is live and stop() is seen between synchronous runs', async () => {
    const endless = new Endless({ busyMs: 10 });
    endless.start();
    await until(() => endless.currentRun >= 3, 'three runs seen from the parent');
    endless.stop();
    const result = await endless.result();
    expect(result.finished).toBe(true);
    expect(endless.currentRun).toBe(result.runs);
  });

  it('a section timeout still stops while (true) {} and a replacement resumes at the same run', async () => {
    const hung = new Flaky({ runs: 3, failOn: 1, failures: 1, lives: 2, how: 'hang', runTimeout: 200 });
    await expect(hung.run()).resolves.toEqual({ seen: [1, 2], total: 2 });
    const exhausted = new Flaky({ runs: 3, failOn: 1, failures: 9, lives: 1, how: 'hang', runTimeout: 200 });
    await expect(exhausted.run()).rejects.toBeInstanceOf(ProcessTimeoutError);
  });

  it('lives spent inside the worker are not given again after a crash', async () => {
    // run 0 throws once (a life, inside the worker), then run 1 crashes: with 2 lives that is the end.
    const flaky = new Flaky({ runs: 3, failOn: 0, failures: 1, lives: 2 });
    await expect(flaky.run()).resolves.toEqual({ seen: [0, 0, 1, 2], total: 4 });
    expect(flaky.currentRun).toBe(3);
  });

  it('joinIn is not restarted and stop() wakes a hook in listen()', async () => {
    const waiter = new Waiter();
    waiter.start();
    await expect(waiter.listen(10_000)).resolves.toBe('waiting');
    waiter.stop();
    await expect(waiter.result.timeout(10_000)()).resolves.toBe('stopped with undefined');
    const joined = new Endless({ joinIn: 200, busyMs: 5 });
    await expect(joined.run.timeout(10_000)()).resolves.toMatchObject({ finished: true });
  });

  it('constructing a Share throws an error that names the headers to send', () => {
    expect(() => new Share()).toThrow(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/s);
  });
});
