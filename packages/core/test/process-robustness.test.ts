import { describe, expect, it } from 'vitest';
import { ProcessError, ProcessTimeoutError, ResultTimeoutError, RunError, SerializationError, cucumber } from '@suitkaise/core';
import { ChattyFinish, Counter, HangingHandler, LateTeller, Reader, SelfCloser, Sleeper, UnsendableFailure, Waiter } from './fixtures/processes.ts';
import { rejection } from './helpers/rejection.ts';
import { watchUnhandledRejections } from './helpers/unhandled.ts';
import { until } from './helpers/until.ts';

/** Registered in this module only: the worker cannot read it. */
class ParentOnly {
  constructor(public n: number) {}
}
cucumber.register(ParentOnly, 'test:ParentOnly');

describe('robustness', () => {
  it('an outcome is kept even when the worker dies right after sending it, and no tell is lost', async () => {
    for (let round = 0; round < 3; round += 1) {
      const chatty = new ChattyFinish();
      await expect(chatty.run()).resolves.toBe(7);
      const told: unknown[] = [];
      for (let m = await chatty.listen(); m !== undefined; m = await chatty.listen()) told.push(m);
      expect(told).toHaveLength(200);
    }
  });

  it('a timed-out or cancelled listen() does not swallow the next message', async () => {
    const teller = new LateTeller();
    teller.start();
    await expect(teller.listen.timeout(1)()).rejects.toThrow(/listen\(\) did not settle/);
    const cancelled = teller.listen.background()();
    cancelled.cancel();
    const got = [await teller.listen(5000), await teller.listen(5000), await teller.listen(5000)];
    expect(got).toEqual([0, 1, 2]);
  });

  it('a cancelled or timed-out Future nobody awaits is not an unhandled rejection; awaiting it still rejects', async () => {
    using unhandled = watchUnhandledRejections();
    const sleeper = new Sleeper(5, 200);
    const cancelled = sleeper.run.background()();
    cancelled.cancel();
    expect(cancelled.done).toBe(true);
    const timedOut = sleeper.result.timeout(10).background()();
    await until(() => timedOut.done, 'result.timeout(10) to run out');
    // The run() under the cancelled Future rejects too once the process is killed.
    sleeper.kill();
    await sleeper.wait();
    expect(await unhandled.reported()).toEqual([]);
    await expect(rejection(cancelled)).resolves.toMatchObject({ name: 'AbortError' });
    await expect(rejection(timedOut)).resolves.toBeInstanceOf(ResultTimeoutError);
  });

  it('a section error holding something unsendable still arrives as that section error', async () => {
    const process = new UnsendableFailure();
    const error = await rejection(process.run());
    expect(error).toBeInstanceOf(RunError);
    expect((error as InstanceType<typeof RunError>).originalError).toBeInstanceOf(Error);
    expect(((error as InstanceType<typeof RunError>).originalError as Error).message).toBe('request failed');
    expect(process.error).toBe(error);
  });

  it('__error__ that times out ends the process: no second run of it, and error keeps the first failure', async () => {
    const process = new HangingHandler();
    const error = await rejection(process.run());
    expect(error).toBeInstanceOf(ProcessTimeoutError);
    expect((error as ProcessTimeoutError).section).toBe('error');
    expect(process.error).toBeInstanceOf(RunError);
    expect((process.error!.originalError as Error).message).toBe('first failure');
  });

  it('stop() wakes a hook waiting in listen()', async () => {
    const waiter = new Waiter();
    waiter.start();
    await expect(waiter.listen(10_000)).resolves.toBe('waiting');
    waiter.stop();
    await expect(waiter.result.timeout(10_000)()).resolves.toBe('stopped with undefined');
  });

  it('a told message the worker cannot read rejects its listen() with SerializationError, and the worker goes on', async () => {
    const reader = new Reader();
    reader.start();
    reader.tell(new ParentOnly(1));
    await expect(reader.listen(10_000)).resolves.toBe('could not read: SerializationError');
    await expect(reader.result()).resolves.toBeUndefined();
  });

  it('a worker that ends itself rejects with a ProcessError instead of hanging', async () => {
    const closer = new SelfCloser();
    const error = await rejection(closer.run.timeout(10_000)());
    expect(error).toBeInstanceOf(ProcessError);
    expect(error).not.toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(/closed itself|exited with code 3/);
  });

  it('waits longer than setTimeout can hold (2^31 - 1 ms) wait instead of firing at once', async () => {
    const counter = new Counter(3);
    counter.start();
    await expect(counter.wait(3e9)).resolves.toBe(true);
    await expect(counter.result.timeout(3e9)()).resolves.toBe(3);
  });
});
