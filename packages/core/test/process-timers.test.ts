import { describe, expect, it } from 'vitest';
import { ProcessTimers, Sktimer } from '@suitkaise/core';
import { HookOrder, Sleeper } from './fixtures/processes.ts';

describe('ProcessTimers after a process finishes', () => {
  it('times every defined hook, with null for hooks not defined', async () => {
    const sleeper = new Sleeper(5, 4);
    expect(sleeper.timers).toBeNull();
    await sleeper.run();
    const timers = sleeper.timers!;
    expect(timers).toBeInstanceOf(ProcessTimers);
    expect(timers.run).toBeInstanceOf(Sktimer);
    expect(timers.run!.numTimes).toBe(4);
    expect(timers.prerun!.numTimes).toBe(4);
    expect(timers.postrun).toBeNull();
    expect(timers.onfinish).toBeNull();
    expect(timers.result!.numTimes).toBe(1);
    expect(timers.error).toBeNull();
    expect(timers.fullRun.numTimes).toBe(4);
    const run = timers.run!;
    // Each run awaited a 5 ms timer; 1 ms less because Node's timer clock counts whole milliseconds.
    expect(run.min!).toBeGreaterThanOrEqual(4);
    expect(run.mean!).toBeGreaterThanOrEqual(run.min!);
    expect(run.mean!).toBeLessThanOrEqual(run.max!);
    expect(run.totalTime).toBeCloseTo(run.mean! * 4, 6);
    // fullRun spans prerun + run + postrun of each iteration.
    expect(timers.fullRun.totalTime).toBeGreaterThanOrEqual(timers.run!.totalTime);
  });

  it('times all six hook kinds that ran', async () => {
    const process = new HookOrder(3);
    await process.run();
    const timers = process.timers!;
    expect([timers.prerun, timers.run, timers.postrun].map((t) => t!.numTimes)).toEqual([3, 3, 3]);
    expect(timers.onfinish!.numTimes).toBe(1);
    expect(timers.result!.numTimes).toBe(1);
  });
});
