/**
 * The long-running process of the Process panel. `Crunch` runs until `stop()` (`runs = null`):
 * each run hashes for a few tens of milliseconds; before each run it reads the page's messages
 * (`listen`) and answers them (`tell`). A `'hang'` message makes the next run spin forever, so
 * `processConfig.timeouts.run` stops it: the worker is terminated, the timeout costs a life, and
 * the run is retried in a fresh worker (or, with no lives left, the process ends with a
 * `ProcessTimeoutError`).
 */
import { sk, Skprocess } from '@suitkaise/core';

/** What the page sends. */
export type CrunchCommand = { kind: 'say'; text: string } | { kind: 'hang' };

/** What the process tells the page. */
export type CrunchMessage =
  | { kind: 'reply'; text: string; run: number }
  | { kind: 'hanging'; run: number }
  /** Told by each worker as it starts: after the first, each one replaced a worker a timeout ended. */
  | { kind: 'worker-up'; run: number };

/** What `result()` resolves to after `stop()`. */
export interface CrunchReport {
  runs: number;
  messages: number;
  checksum: number;
}

/** The knobs the page passes in. */
export interface CrunchOptions {
  /** `processConfig.timeouts.run`, ms. */
  runTimeout: number;
  /** `processConfig.lives`. */
  lives: number;
}

/** `rounds` of a 32-bit FNV-1a-style hash chain: honest CPU work whose length varies a little per run. */
export function hashRounds(seed: number, rounds: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < rounds; i += 1) {
    h ^= i & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

@sk()
export class Crunch extends Skprocess<CrunchReport> {
  messages = 0;
  checksum = 0;
  /** Set by a `'hang'` message, for the next run only. */
  hangNext = false;
  /**
   * `false` in the state `start()` sent. A worker that replaces one terminated by a timeout
   * starts from that state again (with `currentRun` carried over), so every worker says hello
   * once: the page counts the hellos after the first as lives spent.
   */
  began = false;

  constructor(options: CrunchOptions) {
    super();
    this.processConfig.runs = null; // until stop()
    this.processConfig.lives = options.lives;
    this.processConfig.timeouts.run = options.runTimeout;
  }

  async __prerun__() {
    if (!this.began) {
      this.began = true;
      this.tell({ kind: 'worker-up', run: this.currentRun } satisfies CrunchMessage);
    }
    // Everything the page sent since the last run, without waiting when nothing came.
    for (let command = await this.listen<CrunchCommand>(0); command !== undefined; command = await this.listen<CrunchCommand>(0)) {
      this.messages += 1;
      if (command.kind === 'hang') {
        this.hangNext = true;
        this.tell({ kind: 'hanging', run: this.currentRun } satisfies CrunchMessage);
      } else {
        const text = command.text.split('').reverse().join('').toUpperCase();
        this.tell({ kind: 'reply', text, run: this.currentRun } satisfies CrunchMessage);
      }
    }
  }

  __run__() {
    if (this.hangNext) {
      // Synchronous and endless (bounded at a minute, in case nothing stopped it): only terminating
      // the worker ends this, which is what the run timeout does.
      const until = Date.now() + 60_000;
      while (Date.now() < until) { /* spin */ }
    }
    // Roughly 20 to 60 ms of hashing on a typical laptop core, varying from run to run.
    const rounds = 6_000_000 + ((this.currentRun * 7919) % 5) * 3_000_000;
    this.checksum = hashRounds(this.checksum, rounds);
  }

  __result__(): CrunchReport {
    return { runs: this.currentRun, messages: this.messages, checksum: this.checksum };
  }
}
