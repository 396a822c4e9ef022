// The process classes of the Chromium start → result bench (bench/frontend.ts).
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
