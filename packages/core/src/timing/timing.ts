/**
 * Timing: `Sktimer`, a stopwatch that keeps statistics over its recorded
 * measurements, and `ProcessTimers`, the set of timers a process keeps per hook.
 * Every duration is in milliseconds, measured with `performance.now()`.
 */
import { SECTIONS, type Section } from '../errors.ts';

/** A frozen snapshot of an {@link Sktimer}'s figures; every duration is in ms, `null` when there are no samples. */
export interface SktimerStatistics {
  /** How many measurements are recorded. */
  readonly numTimes: number;
  /** The last recorded measurement, ms. */
  readonly mostRecent: number | null;
  /** Sum of the recorded measurements, ms (0 when empty). */
  readonly totalTime: number;
  /** Arithmetic mean, ms. */
  readonly mean: number | null;
  /** Median (the 50th percentile), ms. */
  readonly median: number | null;
  /** Shortest measurement, ms. */
  readonly min: number | null;
  /** Longest measurement, ms. */
  readonly max: number | null;
  /** Sample standard deviation, ms; `null` with fewer than 2 samples. */
  readonly stdev: number | null;
  /** Sample variance (divides by n − 1), ms²; `null` with fewer than 2 samples. */
  readonly variance: number | null;
  /** Index of the first shortest measurement. */
  readonly fastestIndex: number | null;
  /** Index of the first longest measurement. */
  readonly slowestIndex: number | null;
  /** A frozen copy of the recorded measurements, oldest first, ms. */
  readonly times: readonly number[];
}

/** What {@link Sktimer.toState} produces: structured-clonable, with no in-flight measurement. */
export interface SktimerState {
  /** Recorded measurements, oldest first, ms. */
  times: number[];
  /** How many measurements are kept, or `null` for all of them. */
  maxTimes: number | null;
}

/** Index of the first smallest (`sign` −1) or largest (`sign` 1) time, in one pass: spreading a long array into Math.min overflows the stack. */
function extremeIndex(times: readonly number[], sign: 1 | -1): number {
  let best = 0;
  for (let i = 1; i < times.length; i += 1) if ((times[i]! - times[best]!) * sign > 0) best = i;
  return best;
}

/** A stopwatch that records durations in milliseconds and reports statistics over them. */
export class Sktimer {
  #times: number[] = [];
  #maxTimes: number | null = null;
  /** `performance.now()` when the current running segment began; `null` when idle or paused. */
  #segmentStart: number | null = null;
  /** Time accumulated by the current measurement's earlier segments (before pauses), ms. */
  #accumulated = 0;
  #paused = false;

  /** Starts a measurement. Throws if one is already under way. */
  start(): void {
    if (this.#running) throw new Error('Sktimer.start(): the timer is already running; call stop(), lap() or discard() first');
    this.#accumulated = 0;
    this.#paused = false;
    this.#segmentStart = performance.now();
  }

  /** Ends the current measurement, records it and returns it, in ms (paused time excluded). */
  stop(): number {
    const elapsed = this.#elapsed('stop');
    this.#clearMeasurement();
    this.#record(elapsed);
    return elapsed;
  }

  /** Records the current measurement, in ms, and immediately starts a new (unpaused) one; returns the recorded time. */
  lap(): number {
    const elapsed = this.#elapsed('lap');
    this.#record(elapsed);
    this.#accumulated = 0;
    this.#paused = false;
    this.#segmentStart = performance.now();
    return elapsed;
  }

  /** Pauses the current measurement; the time until {@link Sktimer.resume} is not counted. */
  pause(): void {
    if (!this.#running) throw new Error('Sktimer.pause(): the timer is not running; call start() first');
    if (this.#paused) throw new Error('Sktimer.pause(): the timer is already paused; call resume() first');
    this.#accumulated += performance.now() - (this.#segmentStart as number);
    this.#segmentStart = null;
    this.#paused = true;
  }

  /** Resumes a paused measurement. */
  resume(): void {
    if (!this.#paused) {
      throw new Error(`Sktimer.resume(): the timer is not paused; ${this.#running ? 'call pause() first' : 'call start() first'}`);
    }
    this.#paused = false;
    this.#segmentStart = performance.now();
  }

  /** Drops the current measurement without recording it. Throws if no measurement is under way. */
  discard(): void {
    if (!this.#running) throw new Error('Sktimer.discard(): the timer is not running; there is no measurement to discard');
    this.#clearMeasurement();
  }

  /** Records a measurement of `ms` milliseconds directly; `ms` must be a finite number >= 0. */
  addTime(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`Sktimer.addTime(): ms must be a finite number >= 0, got ${String(ms)}`);
    }
    this.#record(ms);
  }

  /** Forgets every recorded measurement and any measurement under way; keeps the `maxTimes` setting. */
  reset(): void {
    this.#times = [];
    this.#clearMeasurement();
  }

  /** Keeps only the last `n` recorded measurements (trimming now), or all of them with `null`. */
  setMaxTimes(n: number | null): void {
    if (n !== null && !(Number.isInteger(n) && n > 0)) {
      throw new RangeError(`Sktimer.setMaxTimes(): n must be null or a positive integer, got ${String(n)}`);
    }
    this.#maxTimes = n;
    this.#trim();
  }

  /** How many measurements are recorded. */
  get numTimes(): number { return this.#times.length; }
  /** The last recorded measurement, ms, or `null`. */
  get mostRecent(): number | null { return this.#times.length ? this.#times[this.#times.length - 1] : null; }
  /** Sum of the recorded measurements, ms (0 when empty). */
  get totalTime(): number { return this.#times.reduce((sum, t) => sum + t, 0); }
  /** Arithmetic mean, ms, or `null`. */
  get mean(): number | null { return this.#times.length ? this.totalTime / this.#times.length : null; }
  /** Median, ms, or `null`. */
  get median(): number | null { return this.percentile(50); }
  /** Shortest measurement, ms, or `null`. */
  get min(): number | null { return this.#times.length ? this.#times[extremeIndex(this.#times, -1)]! : null; }
  /** Longest measurement, ms, or `null`. */
  get max(): number | null { return this.#times.length ? this.#times[extremeIndex(this.#times, 1)]! : null; }
  /** Sample standard deviation, ms; `null` with fewer than 2 samples. */
  get stdev(): number | null {
    const variance = this.variance;
    return variance === null ? null : Math.sqrt(variance);
  }
  /** Sample variance (divides by n − 1), ms²; `null` with fewer than 2 samples. */
  get variance(): number | null {
    const n = this.#times.length;
    if (n < 2) return null;
    const mean = this.totalTime / n;
    return this.#times.reduce((sum, t) => sum + (t - mean) ** 2, 0) / (n - 1);
  }
  /** Index of the first shortest measurement, or `null`. */
  get fastestIndex(): number | null { return this.#times.length ? extremeIndex(this.#times, -1) : null; }
  /** Index of the first longest measurement, or `null`. */
  get slowestIndex(): number | null { return this.#times.length ? extremeIndex(this.#times, 1) : null; }

  /** The `p`th percentile (0..100), ms, linearly interpolated at rank p/100·(n − 1); `null` when empty. */
  percentile(p: number): number | null {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
      throw new RangeError(`Sktimer.percentile(): p must be a finite number from 0 to 100, got ${String(p)}`);
    }
    const n = this.#times.length;
    if (n === 0) return null;
    const sorted = [...this.#times].sort((a, b) => a - b);
    // Multiply before dividing so that e.g. p = 90, n = 4 gives rank 2.7 exactly.
    const rank = (p * (n - 1)) / 100;
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }

  /** The `i`th recorded measurement (0 = oldest), ms, or `null` when `i` is not a valid index. */
  getTime(i: number): number | null {
    return Number.isInteger(i) && i >= 0 && i < this.#times.length ? this.#times[i] : null;
  }

  /** A frozen snapshot of every statistic; later measurements do not change it. */
  getStatistics(): SktimerStatistics {
    return Object.freeze({
      numTimes: this.numTimes,
      mostRecent: this.mostRecent,
      totalTime: this.totalTime,
      mean: this.mean,
      median: this.median,
      min: this.min,
      max: this.max,
      stdev: this.stdev,
      variance: this.variance,
      fastestIndex: this.fastestIndex,
      slowestIndex: this.slowestIndex,
      times: Object.freeze([...this.#times]),
    });
  }

  /** The recorded measurements and `maxTimes` as a plain object, for sending between threads. */
  toState(): SktimerState {
    return { times: [...this.#times], maxTimes: this.#maxTimes };
  }

  /** Rebuilds a timer from {@link Sktimer.toState}'s output; throws `TypeError` on malformed state. */
  static fromState(state: unknown): Sktimer {
    if (typeof state !== 'object' || state === null) {
      throw new TypeError('Sktimer.fromState(): state must be an object with times and maxTimes');
    }
    const { times, maxTimes } = state as Record<string, unknown>;
    if (!Array.isArray(times) || !times.every((t) => typeof t === 'number' && Number.isFinite(t) && t >= 0)) {
      throw new TypeError('Sktimer.fromState(): state.times must be an array of finite numbers >= 0');
    }
    if (maxTimes !== null && !(typeof maxTimes === 'number' && Number.isInteger(maxTimes) && maxTimes > 0)) {
      throw new TypeError('Sktimer.fromState(): state.maxTimes must be null or a positive integer');
    }
    const timer = new Sktimer();
    timer.#times = [...(times as number[])];
    timer.setMaxTimes(maxTimes);
    return timer;
  }

  get #running(): boolean {
    return this.#segmentStart !== null || this.#paused;
  }

  #elapsed(method: string): number {
    if (!this.#running) throw new Error(`Sktimer.${method}(): the timer is not running; call start() first`);
    const segment = this.#segmentStart === null ? 0 : performance.now() - this.#segmentStart;
    return Math.max(0, this.#accumulated + segment);
  }

  #clearMeasurement(): void {
    this.#segmentStart = null;
    this.#accumulated = 0;
    this.#paused = false;
  }

  #record(ms: number): void {
    this.#times.push(ms);
    this.#trim();
  }

  #trim(): void {
    if (this.#maxTimes !== null && this.#times.length > this.#maxTimes) {
      this.#times.splice(0, this.#times.length - this.#maxTimes);
    }
  }
}

const hookKeys = SECTIONS;
type HookKey = Section;

/** Timers passed to the {@link ProcessTimers} constructor; a missing hook timer is `null`. */
export type ProcessTimersInit = { [K in HookKey]?: Sktimer | null } & { fullRun?: Sktimer };

/** What {@link ProcessTimers.toState} produces: each timer's state, `null` for a hook that is not defined. */
export type ProcessTimersState = { [K in HookKey]: SktimerState | null } & { fullRun: SktimerState };

/** A process's timers: one per defined hook (`null` when the hook is not defined), and `fullRun` per iteration. */
export class ProcessTimers {
  #timers: Record<HookKey, Sktimer | null>;
  #fullRun: Sktimer;

  /** Takes the hook timers; missing ones are `null`, a missing `fullRun` is a new empty timer. */
  constructor(timers: ProcessTimersInit = {}) {
    this.#timers = {
      prerun: timers.prerun ?? null,
      run: timers.run ?? null,
      postrun: timers.postrun ?? null,
      onfinish: timers.onfinish ?? null,
      result: timers.result ?? null,
      error: timers.error ?? null,
    };
    this.#fullRun = timers.fullRun ?? new Sktimer();
  }

  /** Times `__prerun__`, ms; `null` when not defined. */
  get prerun(): Sktimer | null { return this.#timers.prerun; }
  /** Times `__run__`, ms; `null` when not defined. */
  get run(): Sktimer | null { return this.#timers.run; }
  /** Times `__postrun__`, ms; `null` when not defined. */
  get postrun(): Sktimer | null { return this.#timers.postrun; }
  /** Times `__onfinish__`, ms; `null` when not defined. */
  get onfinish(): Sktimer | null { return this.#timers.onfinish; }
  /** Times `__result__`, ms; `null` when not defined. */
  get result(): Sktimer | null { return this.#timers.result; }
  /** Times `__error__`, ms; `null` when not defined. */
  get error(): Sktimer | null { return this.#timers.error; }
  /** Times prerun + run + postrun together, one measurement per iteration, ms. */
  get fullRun(): Sktimer { return this.#fullRun; }

  /** Every timer's state as a plain object, for sending between threads. */
  toState(): ProcessTimersState {
    const state = { fullRun: this.#fullRun.toState() } as ProcessTimersState;
    for (const key of hookKeys) state[key] = this.#timers[key]?.toState() ?? null;
    return state;
  }

  /** Rebuilds from {@link ProcessTimers.toState}'s output; throws `TypeError` on malformed state. */
  static fromState(state: unknown): ProcessTimers {
    if (typeof state !== 'object' || state === null) {
      throw new TypeError('ProcessTimers.fromState(): state must be an object of Sktimer states');
    }
    const record = state as Record<string, unknown>;
    const init: ProcessTimersInit = { fullRun: Sktimer.fromState(record.fullRun) };
    for (const key of hookKeys) {
      const value = record[key];
      init[key] = value === null || value === undefined ? null : Sktimer.fromState(value);
    }
    return new ProcessTimers(init);
  }
}
