import { describe, expect, it } from 'vitest';
import { Counter, HookOrder } from './fixtures/processes.ts';

describe('Skprocess basics', () => {
  it('runs the counter 10 times and returns 10', async () => {
    const counter = new Counter(10);
    counter.start();
    expect(counter.isAlive).toBe(true);
    await expect(counter.wait()).resolves.toBe(true);
    await expect(counter.result()).resolves.toBe(10);
    expect(counter.currentRun).toBe(10);
    expect(counter.isAlive).toBe(false);
  });

  it('runs hooks in order, sync and async', async () => {
    const calls = await new HookOrder(2).run();
    expect(calls).toEqual(['prerun:0', 'run:0', 'postrun:0', 'prerun:1', 'run:1', 'postrun:1', 'onfinish', 'result']);
  });
});
