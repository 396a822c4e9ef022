// The @sk() process classes `npm run bench` runs (bench/index.ts).
import { sk, Skprocess } from '@suitkaise/core';

/** One run, one small result: measures start → result, the whole worker lifecycle. */
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

/** The value that ends an {@link Echo}. */
export const ECHO_STOP = 'stop';

/** Tells back whatever the parent tells it, one message per run, until told {@link ECHO_STOP}. */
@sk()
export class Echo extends Skprocess<number> {
  echoed = 0;
  constructor() {
    super();
    this.processConfig.runs = null;
  }
  async __run__() {
    const message = await this.listen();
    if (message === ECHO_STOP) {
      this.stop();
      return;
    }
    this.tell(message);
    this.echoed += 1;
  }
  __result__() {
    return this.echoed;
  }
}

/** Tells the parent when its run starts (shared clock), then never returns: a run timeout of `limit` ends it. */
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
