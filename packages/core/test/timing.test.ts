import { describe, expect, it } from 'vitest';
import { ProcessTimers, Sktimer } from '../src/timing/timing.ts';
import type { SktimerState } from '../src/timing/timing.ts';

function timerWith(times: number[]): Sktimer {
  const timer = new Sktimer();
  for (const t of times) timer.addTime(t);
  return timer;
}

/** Spins for `ms` milliseconds so that the time really passes on the clock the timer reads. */
function busyWait(ms: number): number {
  const start = performance.now();
  while (performance.now() - start < ms) { /* spin */ }
  return performance.now() - start;
}

describe('Sktimer statistics', () => {
  it('computes every figure for [10, 20, 30, 40]', () => {
    const timer = timerWith([10, 20, 30, 40]);
    expect(timer.numTimes).toBe(4);
    expect(timer.mostRecent).toBe(40);
    expect(timer.totalTime).toBe(100);
    expect(timer.mean).toBe(25);
    expect(timer.median).toBe(25);
    expect(timer.min).toBe(10);
    expect(timer.max).toBe(40);
    expect(timer.variance).toBeCloseTo(166.6666667, 6);
    expect(timer.stdev).toBeCloseTo(12.9099445, 6);
    expect(timer.percentile(90)).toBeCloseTo(37, 10);
    expect(timer.percentile(0)).toBe(10);
    expect(timer.percentile(100)).toBe(40);
    expect(timer.percentile(50)).toBe(25);
    expect(timer.fastestIndex).toBe(0);
    expect(timer.slowestIndex).toBe(3);
  });

  it('sorts before taking percentiles and finds fastest/slowest by position', () => {
    const timer = timerWith([30, 10, 50, 20, 40]);
    expect(timer.median).toBe(30);
    expect(timer.percentile(25)).toBe(20);
    expect(timer.fastestIndex).toBe(1);
    expect(timer.slowestIndex).toBe(2);
  });

  it('takes the middle value as the median of an odd count', () => {
    expect(timerWith([5, 1, 3]).median).toBe(3);
  });

  it('reports a single sample with null variance and stdev', () => {
    const timer = timerWith([7]);
    expect(timer.numTimes).toBe(1);
    expect(timer.mean).toBe(7);
    expect(timer.median).toBe(7);
    expect(timer.min).toBe(7);
    expect(timer.max).toBe(7);
    expect(timer.percentile(90)).toBe(7);
    expect(timer.variance).toBeNull();
    expect(timer.stdev).toBeNull();
    expect(timer.fastestIndex).toBe(0);
    expect(timer.slowestIndex).toBe(0);
  });

  it('reports null for every statistic when empty, never NaN', () => {
    const timer = new Sktimer();
    expect(timer.numTimes).toBe(0);
    expect(timer.totalTime).toBe(0);
    for (const value of [timer.mostRecent, timer.mean, timer.median, timer.min, timer.max, timer.stdev,
      timer.variance, timer.fastestIndex, timer.slowestIndex, timer.percentile(50)]) {
      expect(value).toBeNull();
    }
    const stats = timer.getStatistics();
    expect(stats).toEqual({
      numTimes: 0, mostRecent: null, totalTime: 0, mean: null, median: null, min: null, max: null,
      stdev: null, variance: null, fastestIndex: null, slowestIndex: null, times: [],
    });
  });

  it('returns null from getTime out of range', () => {
    const timer = timerWith([1, 2, 3]);
    expect(timer.getTime(0)).toBe(1);
    expect(timer.getTime(2)).toBe(3);
    expect(timer.getTime(3)).toBeNull();
    expect(timer.getTime(-1)).toBeNull();
    expect(timer.getTime(1.5)).toBeNull();
    expect(new Sktimer().getTime(0)).toBeNull();
  });

  it('returns a frozen snapshot from getStatistics', () => {
    const timer = timerWith([10, 20]);
    const stats = timer.getStatistics();
    expect(Object.isFrozen(stats)).toBe(true);
    expect(Object.isFrozen(stats.times)).toBe(true);
    timer.addTime(90);
    expect(stats.numTimes).toBe(2);
    expect(stats.times).toEqual([10, 20]);
    expect(stats.mean).toBe(15);
    expect(stats.variance).toBe(50);
    expect(timer.numTimes).toBe(3);
    expect(() => { (stats as { mean: number | null }).mean = 0; }).toThrow(TypeError);
  });
});

describe('Sktimer validation', () => {
  it('rejects percentiles outside 0..100 or not finite', () => {
    const timer = timerWith([1]);
    for (const p of [-1, 100.5, NaN, Infinity, -Infinity]) expect(() => timer.percentile(p)).toThrow(RangeError);
    expect(() => new Sktimer().percentile(101)).toThrow(RangeError);
  });

  it('rejects negative and non-finite times', () => {
    const timer = new Sktimer();
    for (const ms of [-1, NaN, Infinity, -Infinity]) expect(() => timer.addTime(ms)).toThrow(RangeError);
    expect(timer.numTimes).toBe(0);
    timer.addTime(0);
    expect(timer.numTimes).toBe(1);
  });

  it('rejects a maxTimes that is not null or a positive integer', () => {
    const timer = new Sktimer();
    for (const n of [0, -1, 1.5, NaN, Infinity]) expect(() => timer.setMaxTimes(n)).toThrow(RangeError);
    expect(() => timer.setMaxTimes(null)).not.toThrow();
  });
});

describe('Sktimer maxTimes and reset', () => {
  it('trims to the last n immediately and on later additions', () => {
    const timer = timerWith([1, 2, 3, 4, 5]);
    timer.setMaxTimes(3);
    expect(timer.getStatistics().times).toEqual([3, 4, 5]);
    timer.addTime(6);
    expect(timer.getStatistics().times).toEqual([4, 5, 6]);
    expect(timer.getTime(0)).toBe(4);
    timer.setMaxTimes(null);
    timer.addTime(7);
    expect(timer.getStatistics().times).toEqual([4, 5, 6, 7]);
  });

  it('reset forgets times and the measurement under way but keeps maxTimes', () => {
    const timer = timerWith([1, 2]);
    timer.setMaxTimes(2);
    timer.start();
    timer.reset();
    expect(timer.numTimes).toBe(0);
    expect(() => timer.stop()).toThrow(Error);
    expect(() => timer.start()).not.toThrow();
    timer.discard();
    for (const t of [1, 2, 3]) timer.addTime(t);
    expect(timer.getStatistics().times).toEqual([2, 3]);
  });
});

describe('Sktimer measuring', () => {
  it('stop records and returns a non-negative duration', () => {
    const timer = new Sktimer();
    timer.start();
    const elapsed = timer.stop();
    expect(typeof elapsed).toBe('number');
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(timer.numTimes).toBe(1);
    expect(timer.mostRecent).toBe(elapsed);
  });

  it('lap records and keeps measuring', () => {
    const timer = new Sktimer();
    timer.start();
    const first = timer.lap();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(timer.numTimes).toBe(1);
    const second = timer.stop();
    expect(second).toBeGreaterThanOrEqual(0);
    expect(timer.numTimes).toBe(2);
    expect(timer.getStatistics().times).toEqual([first, second]);
  });

  it('discard drops the measurement without recording it', () => {
    const timer = new Sktimer();
    timer.start();
    timer.discard();
    expect(timer.numTimes).toBe(0);
    expect(() => timer.stop()).toThrow(/not running/);
    timer.start();
    timer.stop();
    expect(timer.numTimes).toBe(1);
  });

  it('excludes paused time from the measurement', () => {
    const timer = new Sktimer();
    timer.start();
    timer.pause();
    const waited = busyWait(30);
    timer.resume();
    const elapsed = timer.stop();
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(elapsed).toBeLessThan(waited);
  });

  it('can stop while paused, and counts nothing after the pause', () => {
    const timer = new Sktimer();
    timer.start();
    timer.pause();
    const waited = busyWait(30);
    expect(timer.stop()).toBeLessThan(waited);
    expect(timer.numTimes).toBe(1);
  });

  it('throws clear errors on misuse', () => {
    const timer = new Sktimer();
    expect(() => timer.stop()).toThrow(/not running/);
    expect(() => timer.lap()).toThrow(/not running/);
    expect(() => timer.pause()).toThrow(/not running/);
    expect(() => timer.resume()).toThrow(/not paused/);
    expect(() => timer.discard()).toThrow(/not running/);
    timer.start();
    expect(() => timer.start()).toThrow(/already running/);
    expect(() => timer.resume()).toThrow(/not paused/);
    timer.pause();
    expect(() => timer.pause()).toThrow(/already paused/);
    expect(() => timer.start()).toThrow(/already running/);
    timer.resume();
    timer.stop();
    expect(timer.numTimes).toBe(1);
  });
});

describe('Sktimer state', () => {
  it('round-trips through toState/fromState', () => {
    const timer = timerWith([10, 20, 30]);
    timer.setMaxTimes(5);
    const state = timer.toState();
    expect(state).toEqual({ times: [10, 20, 30], maxTimes: 5 });
    const copy = Sktimer.fromState(state);
    expect(copy).toBeInstanceOf(Sktimer);
    expect(copy.getStatistics()).toEqual(timer.getStatistics());
    for (const t of [40, 50, 60]) copy.addTime(t);
    expect(copy.getStatistics().times).toEqual([20, 30, 40, 50, 60]);
    expect(timer.numTimes).toBe(3);
  });

  it('round-trips through structuredClone and leaves out the measurement under way', () => {
    const timer = timerWith([1.5, 2.5]);
    timer.start();
    const copy = Sktimer.fromState(structuredClone(timer.toState()));
    expect(copy.getStatistics().times).toEqual([1.5, 2.5]);
    expect(() => copy.stop()).toThrow(/not running/);
    timer.discard();
  });

  it('does not share the times array with its state', () => {
    const timer = timerWith([1]);
    const state = timer.toState();
    state.times.push(2);
    expect(timer.numTimes).toBe(1);
    const copy = Sktimer.fromState(state);
    state.times.push(3);
    expect(copy.numTimes).toBe(2);
  });

  it('rejects malformed state with TypeError', () => {
    const bad: unknown[] = [
      null, undefined, 42, 'times', [],
      {}, { times: [1] }, { maxTimes: null },
      { times: 'nope', maxTimes: null },
      { times: [1, '2'], maxTimes: null },
      { times: [1, NaN], maxTimes: null },
      { times: [-1], maxTimes: null },
      { times: [1], maxTimes: 0 },
      { times: [1], maxTimes: 1.5 },
      { times: [1], maxTimes: '3' },
    ];
    for (const state of bad) expect(() => Sktimer.fromState(state), JSON.stringify(state)).toThrow(TypeError);
    const ok: SktimerState = { times: [], maxTimes: null };
    expect(Sktimer.fromState(ok).numTimes).toBe(0);
  });
});

describe('ProcessTimers', () => {
  it('defaults missing hook timers to null and fullRun to an empty timer', () => {
    const timers = new ProcessTimers({});
    for (const key of ['prerun', 'run', 'postrun', 'onfinish', 'result', 'error'] as const) {
      expect(timers[key]).toBeNull();
    }
    expect(timers.fullRun).toBeInstanceOf(Sktimer);
    expect(timers.fullRun.numTimes).toBe(0);
  });

  it('exposes the timers it was given, read-only', () => {
    const run = timerWith([5]);
    const fullRun = timerWith([8]);
    const timers = new ProcessTimers({ run, fullRun, error: null });
    expect(timers.run).toBe(run);
    expect(timers.fullRun).toBe(fullRun);
    expect(timers.error).toBeNull();
    expect(() => { (timers as unknown as { run: Sktimer | null }).run = null; }).toThrow(TypeError);
    expect(timers.run).toBe(run);
  });

  it('round-trips its state, through structuredClone too', () => {
    const timers = new ProcessTimers({ prerun: timerWith([1]), run: timerWith([2, 3]), fullRun: timerWith([4, 5]) });
    const state = timers.toState();
    expect(state).toEqual({
      prerun: { times: [1], maxTimes: null },
      run: { times: [2, 3], maxTimes: null },
      postrun: null, onfinish: null, result: null, error: null,
      fullRun: { times: [4, 5], maxTimes: null },
    });
    const copy = ProcessTimers.fromState(structuredClone(state));
    expect(copy.toState()).toEqual(state);
    expect(copy.run?.mean).toBe(2.5);
    expect(copy.postrun).toBeNull();
  });

  it('rejects malformed state with TypeError', () => {
    expect(() => ProcessTimers.fromState(null)).toThrow(TypeError);
    expect(() => ProcessTimers.fromState({})).toThrow(TypeError);
    expect(() => ProcessTimers.fromState({ fullRun: { times: [], maxTimes: null }, run: { times: ['x'], maxTimes: null } }))
      .toThrow(TypeError);
  });
});

describe('Sktimer with many samples', () => {
  it('computes min, max and their indexes for 300k times without overflowing the stack', () => {
    const timer = new Sktimer();
    for (let i = 0; i < 300_000; i += 1) timer.addTime((i * 7919) % 300_000);
    timer.addTime(0.5);
    expect(timer.min).toBe(0);
    expect(timer.max).toBe(299_999);
    expect(timer.fastestIndex).toBe(0);
    expect(timer.getTime(timer.slowestIndex!)).toBe(299_999);
    expect(timer.getStatistics().numTimes).toBe(300_001);
  });
});
