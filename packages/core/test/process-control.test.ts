import { describe, expect, it } from 'vitest';
import { ProcessError } from '@suitkaise/core';
import { Counter, Endless, Unsendable } from './fixtures/processes.ts';
import { caught } from './helpers/caught.ts';
import { until } from './helpers/until.ts';

/** How many workers (threads in Node, Web Workers in a browser) `run` starts. */
async function workersStartedDuring(run: () => Promise<void>): Promise<number> {
  let started = 0;
  if (typeof window === 'undefined') {
    const count = () => { started += 1; };
    process.on('worker', count);
    try {
      await run();
    } finally {
      process.off('worker', count);
    }
    return started;
  }
  const Original = globalThis.Worker;
  globalThis.Worker = class extends Original {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started += 1;
    }
  };
  try {
    await run();
  } finally {
    globalThis.Worker = Original;
  }
  return started;
}

describe('control from the parent', () => {
  it('runs: null runs until stop(), seen while the section is synchronous; currentRun is live', async () => {
    const endless = new Endless({ busyMs: 20 });
    endless.start();
    await until(() => endless.currentRun >= 3, 'three runs');
    expect(endless.isAlive).toBe(true);
    endless.stop();
    const result = await endless.result();
    expect(result.finished).toBe(true);
    expect(result.runs).toBeGreaterThanOrEqual(3);
    expect(endless.currentRun).toBe(result.runs);
    await expect(endless.listen(5000)).resolves.toBe('finished');
  });

  it('joinIn stops the process on its own', async () => {
    const endless = new Endless({ joinIn: 150, busyMs: 5 });
    const result = await endless.run();
    expect(result.finished).toBe(true);
    expect(result.runs).toBeGreaterThan(0);
    expect(endless.currentRun).toBe(result.runs);
  });

  it('wait(timeout) is false while running, true once finished', async () => {
    const endless = new Endless({ busyMs: 2 });
    endless.start();
    await expect(endless.wait(100)).resolves.toBe(false);
    endless.stop();
    await expect(endless.wait()).resolves.toBe(true);
    await expect(endless.wait(1)).resolves.toBe(true);
  });

  it('kill() ends it now: no __onfinish__, and result() rejects with ProcessError', async () => {
    const endless = new Endless({ busyMs: 2 });
    endless.start();
    await until(() => endless.currentRun >= 1, 'a run');
    endless.kill();
    expect(endless.isAlive).toBe(false);
    await expect(endless.wait()).resolves.toBe(true);
    await expect(endless.result()).rejects.toBeInstanceOf(ProcessError);
    await expect(endless.result()).rejects.toThrow(/killed/);
    await expect(endless.listen(300)).resolves.toBeUndefined();
  });

  it('start(); kill() before the worker is up spawns no worker at all', async () => {
    let counted: number | undefined;
    const started = await workersStartedDuring(async () => {
      const killed = Array.from({ length: 20 }, () => new Counter(5));
      for (const process of killed) {
        process.start();
        process.kill();
      }
      for (const process of killed) await expect(process.result()).rejects.toThrow(/killed/);
      // Started after them, it spawns after them: once its worker has run, a spawn of theirs would have happened.
      counted = await new Counter(2).run();
    });
    expect(counted).toBe(2);
    expect(started).toBe(1);
  });

  it('await using kills a process still alive at scope end', async () => {
    let escaped: Endless;
    {
      await using endless = new Endless({ busyMs: 2 });
      escaped = endless;
      endless.start();
      await until(() => endless.currentRun >= 1, 'a run');
    }
    expect(escaped.isAlive).toBe(false);
    await expect(escaped.result()).rejects.toThrow(/killed/);
  });

  it('start() throws SerializationError naming the path of an unsendable field', () => {
    const process = new Unsendable();
    expect(caught(() => process.start()).path).toBe('root.settings.onRetry');
    expect(process.isAlive).toBe(false);
  });

  it('start() twice, and control before start(), say what to do', async () => {
    const counter = new Counter(1);
    expect(() => counter.stop()).toThrow(/not been started/);
    await expect(counter.result()).rejects.toThrow(/call start\(\) or run\(\) first/);
    counter.start();
    expect(() => counter.start()).toThrow(/already started/);
    await counter.wait();
  });

  it('rejects an invalid processConfig with a TypeError naming the option', () => {
    const counter = new Counter(1);
    counter.processConfig.lives = 0;
    expect(() => counter.start()).toThrow(/processConfig\.lives must be an integer >= 1, got 0/);
    const other = new Counter(1);
    other.processConfig.timeouts.run = -5;
    expect(() => other.start()).toThrow(/processConfig\.timeouts\.run must be null or a finite number >= 0/);
    const third = new Counter(1);
    third.processConfig.runs = 1.5;
    expect(() => third.start()).toThrow(/processConfig\.runs must be null or an integer >= 0, got 1.5/);
  });
});
