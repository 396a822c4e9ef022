// The process classes of the start → result benches: Chromium (bench/frontend.ts) and Node (bench/index.ts, through processes.ts).
import { sk, Skprocess } from '@suitkaise/core';

/** One run, one small result: the whole worker lifecycle. */
@sk()
export class OneRun extends Skprocess<number> {
  value = 42;
  constructor() {
    super();
    this.processConfig.runs = 1;
  }
  __run__() {}
  __result__() {
    return this.value;
  }
}

/** Tells the page (or parent) when its run starts (shared clock), then never returns: a run timeout of `limit` ends it. */
@sk()
export class LateProbe extends Skprocess<void> {
  constructor(limit: number) {
    super();
    this.processConfig.runs = 1;
    this.processConfig.timeouts.run = limit;
  }
  __run__() {
    this.tell(performance.timeOrigin + performance.now());
    for (;;) { /* the run timeout ends this */ }
  }
}
