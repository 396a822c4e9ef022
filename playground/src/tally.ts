/**
 * The Share panel's workers. Each `Tally` process, after every run, adds 1 to the shared counter
 * (`share.counter += 1`, compiled by the transform into one atomic update) and to its own entry
 * of a shared per-worker table (`share.update(…)`, the same by hand), and every tenth run pushes
 * an entry onto the shared list. The page reads the same Share while they run; at the end the
 * counter must equal workers × runs, and so must the table's sum.
 */
import { type Share, sk, Skprocess } from '@suitkaise/core';

/** What the Share holds. */
export interface TallyState {
  counter: number;
  /** Runs per worker, by name. */
  byWorker: Record<string, number>;
  /** Recent entries, appended by every worker (`share.log.push(…)` runs against the shared value). */
  log: string[];
  /** Names of the workers that finished. */
  finished: string[];
}

/** A little busy work per run, so the counter climbs visibly instead of all at once. */
export function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* spin */ }
}

@sk()
export class Tally extends Skprocess<number> {
  constructor(
    private readonly share: Share<TallyState>,
    private readonly name: string,
    runs: number,
    private readonly workMs: number,
  ) {
    super();
    this.processConfig.runs = runs;
  }

  __run__() {
    spin(this.workMs);
  }

  __postrun__() {
    this.share.counter += 1; // one atomic read-modify-write across threads
    this.share.update('byWorker', (counts) => ({ ...counts, [this.name]: (counts[this.name] ?? 0) + 1 }));
    if (this.currentRun % 10 === 9) this.share.log.push(`${this.name} #${this.currentRun + 1}`);
  }

  __onfinish__() {
    this.share.finished.push(this.name);
  }

  __result__() {
    return this.currentRun;
  }
}
