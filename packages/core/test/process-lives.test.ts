import { describe, expect, it } from 'vitest';
import { ProcessError, ProcessTimeoutError, RunError, ErrorHandlerError } from '@suitkaise/core';
import { Flaky, Handled, InventoryError, TellReader } from './fixtures/processes.ts';
import { rejection } from './helpers/rejection.ts';

describe('lives, retries and section timeouts', () => {
  it('retries a failed run on the same run index and keeps the state', async () => {
    const flaky = new Flaky({ runs: 4, failOn: 2, failures: 1, lives: 2 });
    const { seen, total } = await flaky.run();
    expect(seen).toEqual([0, 1, 2, 2, 3]);
    expect(total).toBe(5); // the failed attempt's increment was kept
    expect(flaky.currentRun).toBe(4);
    expect(flaky.error).toBeNull();
  });

  it('rejects with RunError carrying currentRun and the original error once lives are exhausted', async () => {
    const flaky = new Flaky({ runs: 4, failOn: 1, failures: 5, lives: 3 });
    flaky.start();
    const error = await rejection(flaky.result());
    expect(error).toBeInstanceOf(RunError);
    expect(error).toBeInstanceOf(ProcessError);
    const runError = error as InstanceType<typeof RunError>;
    expect(runError.currentRun).toBe(1);
    expect(runError.message).toContain('__run__ failed on run 1');
    expect(runError.message).toContain('out of stock on run 1');
    const original = runError.originalError as InventoryError;
    expect(original).toBeInstanceOf(InventoryError);
    expect(original.sku).toBe('sku-42');
    expect(original.message).toBe('out of stock on run 1');
    expect(original.stack).toContain('out of stock');
    expect(original.cause).toBeInstanceOf(RangeError);
    expect((original.cause as Error).message).toBe('count below zero');
    expect(runError.cause).toBe(original);
    expect(flaky.error).toBeInstanceOf(RunError);
    expect(flaky.isAlive).toBe(false);
  });

  it('stops a synchronous infinite loop with a 200 ms run timeout', async () => {
    const flaky = new Flaky({ runs: 2, failOn: 1, failures: 99, lives: 1, how: 'hang', runTimeout: 200 });
    flaky.start();
    const error = await rejection(flaky.result());
    expect(error).toBeInstanceOf(ProcessTimeoutError);
    const timeout = error as ProcessTimeoutError;
    expect(timeout.section).toBe('run');
    expect(timeout.timeout).toBe(200);
    expect(timeout.currentRun).toBe(1);
    expect(flaky.isAlive).toBe(false);
  });

  it('a timeout costs a life, and the replacement worker resumes at the same run', async () => {
    const flaky = new Flaky({ runs: 3, failOn: 1, failures: 1, lives: 2, how: 'hang', runTimeout: 200 });
    const result = await flaky.run();
    // The replacement starts from the state at start() with currentRun carried over.
    expect(result.seen).toEqual([1, 2]);
    expect(flaky.currentRun).toBe(3);
  });

  it('tells a worker did not read before it died go to its replacement, in order', async () => {
    const reader = new TellReader(9);
    reader.start();
    for (let i = 1; i <= 10; i += 1) reader.tell(i);
    // The first worker read 1 and ended itself; what it read went with it.
    expect(await reader.result()).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('replaces a worker that crashes outside any hook', async () => {
    const flaky = new Flaky({ runs: 2, failOn: 0, failures: 1, lives: 2, how: 'crash' });
    const result = await flaky.run();
    expect(result.seen).toEqual([0, 1]);
  });

  it('a crash with no lives left rejects with a ProcessError saying how the worker ended', async () => {
    const flaky = new Flaky({ runs: 2, failOn: 0, failures: 1, lives: 1, how: 'crash' });
    flaky.start();
    const error = await rejection(flaky.result());
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/crashed.*during __run__ on run 0/);
  });
});

describe('__error__', () => {
  it('a returned value resolves result()', async () => {
    const handled = new Handled('value');
    await expect(handled.run()).resolves.toEqual({ handled: true, section: 'RunError', original: 'bad input' });
    expect(handled.error).toBeInstanceOf(RunError);
  });

  it('a returned Error rejects result() with it', async () => {
    const handled = new Handled('error');
    const error = await rejection(handled.run());
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/^handled: __run__ failed on run 0/);
  });

  it('a throwing handler rejects with ErrorHandlerError', async () => {
    const error = await rejection(new Handled('throw').run());
    expect(error).toBeInstanceOf(ErrorHandlerError);
    expect((error as InstanceType<typeof ErrorHandlerError>).originalError).toBeInstanceOf(Error);
  });

  it('runs after lives are exhausted by a timeout, in a fresh worker', async () => {
    const handled = new Handled('timeout');
    await expect(handled.run()).resolves.toEqual({ handled: true, section: 'ProcessTimeoutError', original: null });
    expect(handled.error).toBeInstanceOf(ProcessTimeoutError);
  });
});
