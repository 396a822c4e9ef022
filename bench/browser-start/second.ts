// A second module with a process class: in a build it adds only its own chunk (bench/frontend.ts measures it).
import { sk, Skprocess } from '@suitkaise/core';

/** Counts to `target`. */
@sk()
export class CountTo extends Skprocess<number> {
  count = 0;
  constructor(target: number) {
    super();
    this.processConfig.runs = target;
  }
  __run__() {
    this.count += 1;
  }
  __result__() {
    return this.count;
  }
}
