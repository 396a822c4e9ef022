import { describe, expect, it } from 'vitest';
import { ResultTimeoutError } from '@suitkaise/core';
import { Counter, Echo, Sleeper } from './fixtures/processes.ts';

describe('modifiers on result, wait, run and listen', () => {
  it('.timeout(ms) rejects with ResultTimeoutError and leaves the process running', async () => {
    const sleeper = new Sleeper(40, 50);
    sleeper.start();
    await expect(sleeper.result.timeout(30)()).rejects.toBeInstanceOf(ResultTimeoutError);
    await expect(sleeper.wait.timeout(30)()).rejects.toThrow(/wait\(\) did not settle within 30 ms/);
    expect(sleeper.isAlive).toBe(true);
    sleeper.kill();
  });

  it('.timeout(ms) resolves when the call settles first', async () => {
    await expect(new Counter(3).run.timeout(20_000)()).resolves.toBe(3);
  });

  it('.background() returns a started Future with done and cancel()', async () => {
    const counter = new Counter(5);
    counter.start();
    const future = counter.result.background()();
    expect(future.done).toBe(false);
    await expect(future).resolves.toBe(5);
    expect(future.done).toBe(true);

    const sleeper = new Sleeper(20, 100);
    const running = sleeper.run.background()();
    running.cancel();
    expect(running.done).toBe(true);
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    sleeper.kill();
  });

  it('.asynced() is the promise-returning form', async () => {
    const counter = new Counter(2);
    await expect(counter.run.asynced()()).resolves.toBe(2);
    await expect(counter.wait.asynced()(10)).resolves.toBe(true);
  });

  it('modifiers compose: result.timeout(…).background()() and listen.background()', async () => {
    const echo = new Echo();
    echo.start();
    const reply = echo.listen.timeout(10_000).background()();
    echo.tell('ping');
    await expect(reply).resolves.toEqual({ echo: 'ping', run: 0 });
    const tooSoon = echo.listen.background().timeout(20)();
    await expect(tooSoon).rejects.toBeInstanceOf(ResultTimeoutError);
    echo.tell('bye');
    const result = echo.result.timeout(10_000).background()();
    await expect(result).resolves.toBe(1);
    await expect(echo.listen.timeout(20)(5)).resolves.toBeUndefined();
  });

  it('.timeout() rejects a negative or non-finite duration', () => {
    const counter = new Counter(1);
    expect(() => counter.result.timeout(-1)).toThrow(RangeError);
    expect(() => counter.result.timeout(Number.NaN)).toThrow(RangeError);
  });
});
